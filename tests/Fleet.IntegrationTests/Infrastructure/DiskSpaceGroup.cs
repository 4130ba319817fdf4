namespace Fleet.IntegrationTests.Infrastructure;

/// <summary>
/// Tests whose outcome depends on the machine's free disk space run alone, after the parallel ones: another
/// test freeing an image or a registry's storage in the meantime would move the margin they set.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DiskSpaceGroup
{
    public const string Name = "Disk space";
}
