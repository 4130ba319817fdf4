global using Xunit;

// Like the simulator and the controller broker they use: Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
