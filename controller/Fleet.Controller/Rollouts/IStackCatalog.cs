using Fleet.Protocol.Api;

namespace Fleet.Controller.Rollouts;

/// <summary>The stored stack versions, as far as a rollout needs them.</summary>
public interface IStackCatalog
{
    /// <summary>The version of stack <paramref name="name"/> (null: the latest), or null if there is none.</summary>
    StackVersionInfo? Find(string name, int? version);
}
