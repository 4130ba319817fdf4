using System.Collections.Immutable;
using Fleet.Compose.Model;
using Fleet.Reconcile.Naming;
using Fleet.Reconcile.Observed;
using Fleet.Reconcile.Planning;
using static Fleet.Reconcile.Tests.Planning.Stacks;

namespace Fleet.Reconcile.Tests.Planning;

public sealed class PlannerTests
{
    private static List<string> Ids(Plan plan) => [.. plan.Steps.Select(s => s.Id)];

    [Fact]
    public void Plan_WhenNothingRuns_CreatesNetworkThenCreatesAndStartsEachReplica()
    {
        var plan = Planner.Create(Stack(Service("web", replicas: 2)), ObservedProject.Empty(Project) with
        {
            LocalImages = ImmutableDictionary<string, string>.Empty.Add("app:1", "sha256:app1"),
        });

        Assert.Equal(["network:default", "create:web#1", "start:web#1", "create:web#2", "start:web#2"], Ids(plan));
        Assert.Equal("demo-web-2", plan.Find("create:web#2")!.Name);
        Assert.Contains("network:default", plan.Find("create:web#1")!.DependsOn);
    }

    [Fact]
    public void Plan_WhenEverythingMatches_IsEmpty()
    {
        var plan = Planner.Create(Stack(Service("web", replicas: 2), Service("db")), Engine(Running("web", 1), Running("web", 2), Running("db")));

        Assert.True(plan.IsEmpty, string.Join("; ", plan.Steps));
        Assert.Empty(plan.Problems);
    }

    [Fact]
    public void Plan_WhenImageMissing_PullsBeforeCreating()
    {
        var plan = Planner.Create(Stack(Service("web", image: "app:2")), Engine());

        Assert.Equal(["pull:web", "create:web#1", "start:web#1"], Ids(plan));
        Assert.Contains("pull:web", plan.Find("create:web#1")!.DependsOn);
    }

    [Fact]
    public void Plan_WithPullsExcluded_DoesNotPullAgain()
    {
        var plan = Planner.Create(Stack(Service("web", image: "app:2") with { PullPolicy = "always" }), Engine(), new PlanOptions { IncludePulls = false });

        Assert.DoesNotContain(plan.Steps, s => s.Kind == StepKind.Pull);
    }

    [Fact]
    public void Plan_WithPullPolicyAlways_PullsEvenWhenPresent()
    {
        var plan = Planner.Create(Stack(Service("web") with { PullPolicy = "always" }), Engine(Running("web")));

        Assert.Equal(["pull:web"], Ids(plan));
    }

    [Theory]
    [InlineData("never", "pull_policy is never")]
    [InlineData("build", "does not build images")]
    public void Plan_WithPullPolicyThatForbidsPulling_ReportsTheServiceAndReason(string policy, string reason)
    {
        var plan = Planner.Create(Stack(Service("web", image: "app:2") with { PullPolicy = policy }), Engine());

        var problem = Assert.Single(plan.Problems);
        Assert.Equal("web", problem.Service);
        Assert.Contains(reason, problem.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_WhenOnlyOneServiceChanged_RecreatesOnlyThatOne()
    {
        var plan = Planner.Create(Stack(Service("web", hash: "h2"), Service("db")), Engine(Running("web"), Running("db")));

        Assert.Equal(["create:web#1", "stop:web#1", "start:web#1", "remove:web#1", "rename:web#1"], Ids(plan));
        Assert.All(plan.Steps, s => Assert.Equal("web", s.Service));
    }

    [Fact]
    public void Plan_Replacement_CreatesNewBeforeStoppingOldAndRemovesOldOnlyAfterNewStarted()
    {
        var plan = Planner.Create(Stack(Service("web", hash: "h2")), Engine(Running("web")));

        Assert.Contains("create:web#1", plan.Find("stop:web#1")!.DependsOn);
        Assert.Contains("stop:web#1", plan.Find("start:web#1")!.DependsOn);
        Assert.Contains("start:web#1", plan.Find("remove:web#1")!.DependsOn);
        Assert.StartsWith("web1", plan.Find("create:web#1")!.Name, StringComparison.Ordinal);
        Assert.Equal("demo-web-1", plan.Find("rename:web#1")!.Name);
    }

    [Fact]
    public void Plan_AfterAnInterruptedReplacement_ReplacesTheOriginalAgain_UnderTheSameTemporaryName()
    {
        // The engine restarted between create and rename: both stopped, the leftover's id sorting first.
        var old = Stopped("web");
        var leftover = Stopped("web", hash: "h2") with { Id = "0".PadRight(64, 'a'), Name = ComposeNaming.Temporary(old.Id, "demo-web-1") };

        var plan = Planner.Create(Stack(Service("web", hash: "h2")), Engine(leftover, old));

        Assert.Equal(["create:web#1", "stop:web#1", "start:web#1", "remove:web#1", "rename:web#1"], Ids(plan));
        Assert.Equal(leftover.Name, plan.Find("create:web#1")!.Name);
        Assert.Equal(old.Id, plan.Find("remove:web#1")!.ContainerId);
    }

    [Fact]
    public void Plan_StartFirst_StartsNewBeforeStoppingOld()
    {
        var web = Service("web", hash: "h2") with
        {
            Deploy = new ServiceDeploy { UpdateConfig = new DeployUpdateConfig { Order = "start-first" } },
        };

        var plan = Planner.Create(Stack(web), Engine(Running("web")));

        Assert.Equal(["create:web#1", "start:web#1", "ready:web#1", "stop:web#1", "remove:web#1", "rename:web#1"], Ids(plan));
        Assert.DoesNotContain("stop:web#1", plan.Find("start:web#1")!.DependsOn);
    }

    [Fact]
    public void Plan_StartFirst_StopsOldOnlyOnceTheNewOneIsReady()
    {
        var web = Service("web", hash: "h2") with
        {
            Deploy = new ServiceDeploy { UpdateConfig = new DeployUpdateConfig { Order = "start-first" } },
        };

        var plan = Planner.Create(Stack(web), Engine(Running("web")));

        var ready = plan.Find("ready:web#1")!;
        Assert.Equal(StepKind.WaitReady, ready.Kind);
        Assert.Equal(["start:web#1"], ready.DependsOn.ToList());
        Assert.Equal(Running("web").Id, ready.Replaces);
        Assert.Contains("ready:web#1", plan.Find("stop:web#1")!.DependsOn);
    }

    [Fact]
    public void Plan_StopFirst_HasNoReadinessWait()
    {
        var plan = Planner.Create(Stack(Service("web", hash: "h2")), Engine(Running("web")));

        Assert.DoesNotContain(plan.Steps, s => s.Kind == StepKind.WaitReady);
    }

    [Fact]
    public void Plan_EveryStop_WaitsForEveryPull()
    {
        var plan = Planner.Create(
            Stack(Service("web", hash: "h2"), Service("api", image: "api:2")),
            Engine(Running("web"), Running("api")));

        Assert.Equal(["pull:api"], plan.Find("stop:web#1")!.DependsOn.Where(d => d.StartsWith("pull:", StringComparison.Ordinal)));
    }

    [Fact]
    public void Plan_WhenImageTagNowPointsElsewhere_Recreates()
    {
        var plan = Planner.Create(Stack(Service("web")), Engine(Running("web", imageId: "sha256:old")));

        Assert.Contains("is now another image", plan.Find("create:web#1")!.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_ScaleDown_StopsAndRemovesHighestNumbers()
    {
        var plan = Planner.Create(Stack(Service("web", replicas: 1)), Engine(Running("web", 1), Running("web", 2), Running("web", 3)));

        Assert.Equal(["stop:web#2", "remove:web#2", "stop:web#3", "remove:web#3"], Ids(plan));
    }

    [Fact]
    public void Plan_ScaleUp_AddsOnlyTheMissingReplicas()
    {
        var plan = Planner.Create(Stack(Service("web", replicas: 3)), Engine(Running("web", 1)));

        Assert.Equal(["create:web#2", "start:web#2", "create:web#3", "start:web#3"], Ids(plan));
    }

    [Fact]
    public void Plan_ServiceNoLongerInStack_IsStoppedAndRemoved()
    {
        var plan = Planner.Create(Stack(Service("web")), Engine(Running("web"), Running("old")));

        Assert.Equal(["stop:old#1", "remove:old#1"], Ids(plan));
    }

    [Fact]
    public void Plan_ContainerStoppedByHand_IsStartedAgain()
    {
        var stopped = Running("web") with { State = ContainerState.Exited, ExitCode = 143 };

        var plan = Planner.Create(Stack(Service("web")), Engine(stopped));

        Assert.Equal(["start:web#1"], Ids(plan));
        Assert.Equal(stopped.Id, plan.Steps[0].ContainerId);
    }

    [Fact]
    public void Plan_OneShotThatExitedZero_IsLeftAlone()
    {
        var done = Running("init") with { State = ContainerState.Exited, ExitCode = 0 };

        var plan = Planner.Create(Stack(Service("init")), Engine(done));

        Assert.True(plan.IsEmpty);
    }

    [Fact]
    public void Plan_ContainerRemovedByHand_IsCreatedAgain()
    {
        var plan = Planner.Create(Stack(Service("web", replicas: 2)), Engine(Running("web", 1)));

        Assert.Equal(["create:web#2", "start:web#2"], Ids(plan));
    }

    [Fact]
    public void Plan_ContainerWhoseSettingsDrifted_IsRecreated()
    {
        var plan = Planner.Create(Stack(Service("web")), Engine(Running("web") with { Drift = "memory limit differs" }));

        Assert.Contains("memory limit differs", plan.Find("create:web#1")!.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_ContainerStartedByDockerCompose_IsAdoptedWhenItMatches()
    {
        var fromCompose = Running("web", hash: "compose-own-hash") with { ManagedByFleet = false, Name = "demo_web_1" };

        var plan = Planner.Create(Stack(Service("web")), Engine(fromCompose));

        Assert.True(plan.IsEmpty, string.Join("; ", plan.Steps));
    }

    [Fact]
    public void Plan_DependsOnStarted_StartsDependentAfterDependency()
    {
        var plan = Planner.Create(Stack(Service("web").DependsOn("db"), Service("db")), Engine());

        Assert.Contains("start:db#1", plan.Find("start:web#1")!.DependsOn);
        Assert.True(Ids(plan).IndexOf("start:db#1") < Ids(plan).IndexOf("start:web#1"));
    }

    [Theory]
    [InlineData("service_healthy", "healthy:db", StepKind.WaitHealthy)]
    [InlineData("service_completed_successfully", "completed:db", StepKind.WaitCompleted)]
    public void Plan_DependsOnCondition_WaitsBeforeStartingDependent(string condition, string waitId, StepKind kind)
    {
        var plan = Planner.Create(Stack(Service("web").DependsOn("db", condition), Service("db")), Engine());

        var wait = plan.Find(waitId);
        Assert.NotNull(wait);
        Assert.Equal(kind, wait.Kind);
        Assert.Contains("start:db#1", wait.DependsOn);
        Assert.Contains(waitId, plan.Find("start:web#1")!.DependsOn);
    }

    [Fact]
    public void Plan_ReplacementOfDependent_StopsOldOnlyOnceDependencyIsReady()
    {
        var plan = Planner.Create(Stack(Service("web", hash: "h2").DependsOn("db", "service_healthy"), Service("db", hash: "h2")), Engine(Running("web"), Running("db")));

        Assert.Contains("healthy:db", plan.Find("stop:web#1")!.DependsOn);
    }

    [Fact]
    public void Plan_DependentUnchanged_NeedsNoWait()
    {
        var plan = Planner.Create(Stack(Service("web").DependsOn("db", "service_healthy"), Service("db", hash: "h2")), Engine(Running("web"), Running("db")));

        Assert.DoesNotContain(plan.Steps, s => s.Kind == StepKind.WaitHealthy);
    }

    [Fact]
    public void Plan_DependsOnRestart_RestartsKeptDependentAfterDependencyIsRecreated()
    {
        var stack = Stack(Service("web").DependsOn("db", restart: true), Service("db", hash: "h2"));

        var plan = Planner.Create(stack, Engine(Running("web"), Running("db")));

        var restart = plan.Find("restart:web#1")!;
        Assert.Equal(StepKind.Restart, restart.Kind);
        Assert.Equal(Running("web").Id, restart.ContainerId);
        Assert.Equal(["start:db#1"], restart.DependsOn.ToList());
        Assert.Contains("db was updated", restart.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(plan.Steps, s => s.Service == "web" && s.Kind != StepKind.Restart);
    }

    [Fact]
    public void Plan_DependsOnRestart_WhenDependencyStartedAgain_RestartsDependent()
    {
        var stack = Stack(Service("web").DependsOn("db", restart: true), Service("db"));

        var plan = Planner.Create(stack, Engine(Running("web"), Stopped("db")));

        Assert.Equal(["start:db#1", "restart:web#1"], Ids(plan));
    }

    [Fact]
    public void Plan_DependsOnRestartWithHealthyCondition_RestartsOnceDependencyIsHealthy()
    {
        var stack = Stack(Service("web").DependsOn("db", "service_healthy", restart: true), Service("db", hash: "h2"));

        var plan = Planner.Create(stack, Engine(Running("web"), Running("db")));

        Assert.Equal(["healthy:db"], plan.Find("restart:web#1")!.DependsOn.ToList());
        Assert.Equal(["start:db#1"], plan.Find("healthy:db")!.DependsOn.ToList());
    }

    [Fact]
    public void Plan_DependsOnWithoutRestart_LeavesDependentAlone()
    {
        var stack = Stack(Service("web").DependsOn("db"), Service("db", hash: "h2"));

        var plan = Planner.Create(stack, Engine(Running("web"), Running("db")));

        Assert.DoesNotContain(plan.Steps, s => s.Service == "web");
    }

    [Fact]
    public void Plan_DependsOnRestart_WhenDependencyUnchanged_LeavesDependentAlone()
    {
        var stack = Stack(Service("web").DependsOn("db", restart: true), Service("db"));

        var plan = Planner.Create(stack, Engine(Running("web"), Running("db")));

        Assert.True(plan.IsEmpty, string.Join("; ", plan.Steps));
    }

    [Fact]
    public void Plan_DependsOnRestart_DependentRecreatedAnyway_IsNotAlsoRestarted()
    {
        var stack = Stack(Service("web", hash: "h2").DependsOn("db", restart: true), Service("db", hash: "h2"));

        var plan = Planner.Create(stack, Engine(Running("web"), Running("db")));

        Assert.DoesNotContain(plan.Steps, s => s.Kind == StepKind.Restart);
        Assert.Contains("start:db#1", plan.Find("start:web#1")!.DependsOn);
    }

    [Fact]
    public void Plan_NetworkWhoseSettingsChanged_StopsItsContainersRecreatesItThenRecreatesThem()
    {
        var engine = Engine(Running("web"), Running("db")) with { ProjectNetworks = Networks(Drifted("default", "driver is macvlan, wants bridge")) };

        var plan = Planner.Create(Stack(Service("web"), Service("db")), engine);

        Assert.Equal(["stop:db#1", "stop:web#1"], plan.Find("remove-network:default")!.DependsOn.ToList());
        Assert.Equal(StepKind.RemoveNetwork, plan.Find("remove-network:default")!.Kind);
        Assert.Equal(["remove-network:default"], plan.Find("network:default")!.DependsOn.ToList());
        Assert.Contains("network:default", plan.Find("create:web#1")!.DependsOn);
        Assert.Contains("network:default", plan.Find("create:db#1")!.DependsOn);
        Assert.DoesNotContain("create:web#1", plan.Find("stop:web#1")!.DependsOn);
        Assert.Contains("network demo_default is recreated", plan.Find("create:web#1")!.Description, StringComparison.Ordinal);
        Assert.Contains("driver is macvlan", plan.Find("remove-network:default")!.Description, StringComparison.Ordinal);
        Assert.Contains("remove:web#1", Ids(plan));
        Assert.Contains("rename:web#1", Ids(plan));
    }

    [Fact]
    public void Plan_NetworkWhoseSettingsChanged_LeavesServicesOnOtherNetworksAlone()
    {
        var stack = Stack(Service("web"), Service("db") with { Networks = ComposeCollections.ToMap([KeyValuePair.Create("back", new ServiceNetwork())]) });
        stack = stack with { Networks = stack.Networks.Add("back", new NetworkConfig { Name = "demo_back" }) };
        var engine = Engine(Running("web"), Running("db")) with
        {
            Networks = [$"{Project}_default", $"{Project}_back"],
            ProjectNetworks = Networks(Drifted("back", "internal is False, wants True"), Same("default")),
        };

        var plan = Planner.Create(stack, engine);

        Assert.DoesNotContain(plan.Steps, step => step.Service == "web");
        Assert.DoesNotContain(plan.Steps, step => step.Id == "remove-network:default");
        Assert.Equal(["stop:db#1"], plan.Find("remove-network:back")!.DependsOn.ToList());
    }

    [Fact]
    public void Plan_NetworkWhoseSettingsChanged_StartFirstServiceStillStopsFirst()
    {
        var web = Service("web") with { Deploy = new ServiceDeploy { UpdateConfig = new DeployUpdateConfig { Order = "start-first" } } };
        var engine = Engine(Running("web")) with { ProjectNetworks = Networks(Drifted("default", "labels differ")) };

        var plan = Planner.Create(Stack(web), engine);

        Assert.Contains("stop:web#1", plan.Find("start:web#1")!.DependsOn);
        Assert.DoesNotContain(plan.Steps, step => step.Kind == StepKind.WaitReady);
    }

    [Fact]
    public void Plan_NetworkWhoseSettingsChanged_UsedOutsideTheProject_IsAProblemAndNothingChanges()
    {
        var drifted = Drifted("default", "driver_opts differ") with
        {
            Attached = ImmutableDictionary<string, string>.Empty.Add(Running("web").Id, "demo-web-1").Add("f".PadRight(64, 'f'), "someone-else"),
        };
        var engine = Engine(Running("web")) with { ProjectNetworks = Networks(drifted) };

        var plan = Planner.Create(Stack(Service("web")), engine);

        var problem = Assert.Single(plan.Problems);
        Assert.Equal("remove-network:default", problem.StepId);
        Assert.Contains("someone-else", problem.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("demo-web-1", problem.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(plan.Steps, step => step.Kind is StepKind.RemoveNetwork or StepKind.Stop);
    }

    [Fact]
    public void Plan_NetworkOfAnotherProjectThatDiffers_IsNotRecreated()
    {
        var engine = Engine(Running("web")) with { ProjectNetworks = Networks(Drifted("default", "driver is macvlan, wants bridge") with { Project = "" }) };

        var plan = Planner.Create(Stack(Service("web")), engine);

        Assert.True(plan.IsEmpty, string.Join("; ", plan.Steps));
    }

    [Fact]
    public void Plan_NetworkWhoseSettingsChanged_OrphanOnItIsRemovedBeforeTheNetwork()
    {
        var orphan = Running("gone");
        var drifted = Drifted("default", "labels differ") with { Attached = ImmutableDictionary<string, string>.Empty.Add(orphan.Id, orphan.Name) };
        var engine = Engine(Running("web"), orphan) with { ProjectNetworks = Networks(drifted) };

        var plan = Planner.Create(Stack(Service("web")), engine);

        Assert.Equal(["stop:gone#1", "stop:web#1"], plan.Find("remove-network:default")!.DependsOn.ToList());
    }

    [Fact]
    public void Plan_ExternalNetworkMissing_IsAProblemNotAStep()
    {
        var stack = Stack(Service("web")) with
        {
            Networks = ComposeCollections.ToMap([KeyValuePair.Create("default", new NetworkConfig { Name = "shared", External = true })]),
        };

        var plan = Planner.Create(stack, ObservedProject.Empty(Project));

        Assert.Contains(plan.Problems, p => p.Reason.Contains("shared", StringComparison.Ordinal));
        Assert.DoesNotContain(plan.Steps, s => s.Kind == StepKind.CreateNetwork);
    }

    [Fact]
    public void Plan_IsTheSameForTheSameInputs()
    {
        var stack = Stack(Service("web", replicas: 2).DependsOn("db", "service_healthy"), Service("db", hash: "h2"));
        var engine = Engine(Running("db"));

        Assert.Equal(Planner.Create(stack, engine).Steps, Planner.Create(stack, engine).Steps, new StepComparer());
    }

    [Fact]
    public void Plan_EveryDependencyNamesAStepOfThePlanThatComesEarlier()
    {
        var stack = Stack(Service("web", hash: "h2", replicas: 2).DependsOn("db", "service_healthy"), Service("db", image: "db:2"), Service("job").DependsOn("web"));
        var plan = Planner.Create(stack, Engine(Running("web", 1), Running("web", 3), Running("gone")));

        var seen = new HashSet<string>();
        foreach (var step in plan.Steps)
        {
            Assert.All(step.DependsOn, d => Assert.Contains(d, seen));
            Assert.True(seen.Add(step.Id), $"duplicate step id {step.Id}");
        }
    }

    private sealed class StepComparer : IEqualityComparer<PlanStep>
    {
        public bool Equals(PlanStep? x, PlanStep? y) => x is not null && y is not null && x.ToString() == y.ToString() && x.DependsOn.SequenceEqual(y.DependsOn);

        public int GetHashCode(PlanStep obj) => obj.Id.GetHashCode(StringComparison.Ordinal);
    }
}
