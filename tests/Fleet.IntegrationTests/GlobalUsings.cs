global using Xunit;

// Like the agent they test: Linux only (the Docker socket, systemd, unix sockets).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
