global using Xunit;

// The controller runs on Linux only (unix file modes), and so do its tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
