using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Fleet.Controller.Rollouts;

public static class RolloutServiceCollectionExtensions
{
    /// <summary>
    /// The rollout engine: <see cref="RolloutStore"/>, <see cref="RolloutCoordinator"/> and the
    /// <see cref="RolloutService"/> that drives it, with <see cref="RolloutOptions"/> from the <c>Rollouts</c>
    /// section, checked at start. The host registers the LiteDatabase, <see cref="IFleetView"/>,
    /// <see cref="IDesiredStatePublisher"/> and <see cref="IStackCatalog"/>.
    /// </summary>
    public static IServiceCollection AddRollouts(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<RolloutOptions>()
            .BindConfiguration("Rollouts")
            .Validate(o => o.Validate() is null, "invalid Rollouts settings: EvaluationInterval > 0, ChangeDelay >= 0, PublishConcurrency 1..256")
            .ValidateOnStart();
        services.TryAddSingleton<RolloutStore>();
        services.TryAddSingleton<RolloutCoordinator>();
        services.AddHostedService<RolloutService>();
        return services;
    }
}
