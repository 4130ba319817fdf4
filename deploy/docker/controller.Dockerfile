# fleet-controller (ASP.NET Core) in a container. The build context is the published controller:
#
#   dotnet publish controller/Fleet.Controller -c Release -o artifacts/controller
#   docker build -f deploy/docker/controller.Dockerfile -t fleet-controller artifacts/controller
#   docker run -d -p 8080:8080 -p 1883:1883 -v fleet-controller:/var/lib/fleet-controller fleet-controller
#
# BASE is Microsoft's ASP.NET Core runtime image; on a machine without a registry, any image with
# the ASP.NET Core 10 shared framework (or a self-contained publish on runtime-deps) will do.
ARG BASE=mcr.microsoft.com/dotnet/aspnet:10.0
FROM ${BASE}
COPY . /opt/fleet-controller/
# The store, keys, operator token and (embedded broker) retained messages: keep them on a volume.
# 1654 is the unprivileged 'app' user of Microsoft's .NET images; the volume inherits its ownership.
RUN mkdir -p /var/lib/fleet-controller && chown 1654:1654 /var/lib/fleet-controller
USER 1654:1654
VOLUME ["/var/lib/fleet-controller"]
ENV FLEET_CONTROLLER__Urls=http://0.0.0.0:8080
# A 16 MB gen 0 budget: the GC's default here follows the CPU cache and let a 10,000-device rollout
# peak at 450+ MB; with 16 MB (and ConserveMemory 9) 359-361 MB, with 8 MB the same memory for about
# 7 % more CPU (docs/benchmarks.md). The runtime reads it only from the environment.
ENV DOTNET_GCgen0size=0x1000000
# REST API, embedded MQTT broker.
EXPOSE 8080 1883
ENTRYPOINT ["/opt/fleet-controller/fleet-controller"]
CMD ["run", "--data", "/var/lib/fleet-controller"]
