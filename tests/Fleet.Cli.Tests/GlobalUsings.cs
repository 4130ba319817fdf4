global using Xunit;

// Fleet's console and its root key handling (file modes) are for Linux operators' machines.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
