namespace Fleet.IntegrationTests.Faults;

/// <summary>The fault tests share one <see cref="FaultFleet"/> and run one after another (one stops the broker of all).</summary>
[CollectionDefinition(Name)]
public sealed class FaultGroup : ICollectionFixture<FaultFleet>
{
    public const string Name = "Faults";
}
