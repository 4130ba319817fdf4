# The NativeAOT fleet-agent in a container that drives the host's Docker engine through the
# mounted socket. The build context is the published agent, not the repository:
#
#   dotnet publish agent/Fleet.Agent -c Release -o artifacts/agent
#   docker build -f deploy/docker/agent.Dockerfile -t fleet-agent artifacts/agent
#   docker run -d --name fleet-agent --restart unless-stopped \
#     -v /var/run/docker.sock:/var/run/docker.sock \
#     -v /etc/machine-id:/etc/machine-id:ro \
#     -v /etc/fleet:/etc/fleet:ro \
#     -v fleet-agent:/var/lib/fleet-agent \
#     fleet-agent
#
# The agent needs only glibc and OpenSSL (no .NET runtime, no ICU: it is built with invariant
# globalization), which is what Microsoft's runtime-deps image holds. BASE overrides it, e.g. with a
# distribution image carrying libssl3 and ca-certificates, or a local image on a machine without a
# registry (tests/Fleet.IntegrationTests/Deploy/AgentImageTests.cs builds one from the host's libraries).
ARG BASE=mcr.microsoft.com/dotnet/runtime-deps:10.0
FROM ${BASE}
COPY fleet-agent /usr/local/bin/fleet-agent
# Runs as root: the Docker socket admits root (or its group) only, and is root-equivalent anyway.
# The stacks it applies run beside it on the host's engine, not inside this container; the
# device id defaults to the host's /etc/machine-id, so mount it (or set FLEET_AGENT__DeviceId).
VOLUME ["/var/lib/fleet-agent"]
ENTRYPOINT ["/usr/local/bin/fleet-agent"]
CMD ["run", "--data", "/var/lib/fleet-agent"]
