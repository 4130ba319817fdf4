namespace Fleet.Compose.Tests.Loading;

public class ServiceFieldTests
{
    [Fact]
    public void Environment_ListAndMap_KeepEmptyValues_AndBareKeyComesFromVariables()
    {
        var project = TestLoader.Project(
            """
            services:
              a:
                image: x
                environment: ["ONE=1", "EMPTY=", "FROM_ENV", "MISSING"]
              b:
                image: x
                environment: {ONE: 1, EMPTY: "", FROM_ENV: , MISSING: }
            """,
            environment: new Dictionary<string, string> { ["FROM_ENV"] = "yes" });

        foreach (var service in project.Services.Values)
        {
            Assert.Equal("1", service.Environment["ONE"]);
            Assert.Equal("", service.Environment["EMPTY"]);
            Assert.Equal("yes", service.Environment["FROM_ENV"]);
            Assert.Null(service.Environment["MISSING"]);
        }
    }

    [Fact]
    public void EnvFile_IsReadBesideTheComposeFile_AndEnvironmentWins()
    {
        var directory = Directory.CreateTempSubdirectory("fleet-envfile-");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "app.env"), "A=from-file\nB=from-file\n");
            var result = ComposeLoader.Load(new ComposeLoadOptions
            {
                Files = [new ComposeFile(Path.Combine(directory.FullName, "compose.yaml"), "services:\n  web:\n    image: x\n    env_file: [app.env, {path: missing.env, required: false}]\n    environment: {B: inline}\n")],
            });

            var environment = result.Project!.Services["web"].Environment;
            Assert.Equal(("from-file", "inline"), (environment["A"], environment["B"]));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void EnvFile_WhenRequiredAndMissing_IsAnError()
    {
        var errors = TestLoader.Errors("services:\n  web:\n    image: x\n    env_file: nothere.env\n");

        Assert.Contains("service web: env_file: env file \"" + TestLoader.Directory + "/nothere.env\" not found", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Command_StringIsSplitLikeAShell_ListIsKept()
    {
        var web = TestLoader.Service("image: x\ncommand: sh -c 'echo \"hi there\"' --flag=\"a b\"\nentrypoint: [\"/bin/tini\", \"--\"]");

        Assert.Equal(["sh", "-c", "echo \"hi there\"", "--flag=a b"], web.Command!.Value.ToArray());
        Assert.Equal(["/bin/tini", "--"], web.Entrypoint!.Value.ToArray());
    }

    [Fact]
    public void Healthcheck_StringTestBecomesCmdShell_AndDurationsAreParsed()
    {
        var health = TestLoader.Service("image: x\nhealthcheck:\n  test: curl -f http://localhost\n  interval: 1m30s\n  timeout: 500ms\n  retries: 3\n  start_period: 1h").Healthcheck!;

        Assert.Equal(["CMD-SHELL", "curl -f http://localhost"], health.Test.ToArray());
        Assert.Equal((TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(500), 3, TimeSpan.FromHours(1)), (health.Interval, health.Timeout, health.Retries, health.StartPeriod));
    }

    [Fact]
    public void Healthcheck_NoneTest_DisablesIt()
    {
        Assert.True(TestLoader.Service("image: x\nhealthcheck:\n  test: [\"NONE\"]").Healthcheck!.Disable);
    }

    [Theory]
    [InlineData("test: [\"RUN\", \"x\"]", "starts with NONE, CMD or CMD-SHELL")]
    [InlineData("interval: 10", "invalid duration \"10\"")]
    [InlineData("retries: many", "invalid number \"many\"")]
    [InlineData("intervall: 1s", "unknown key \"intervall\" in healthcheck (did you mean \"interval\"?)")]
    public void Healthcheck_WhenInvalid_SaysWhatIsValid(string line, string expected)
    {
        Assert.Contains(expected, TestLoader.Errors($"services:\n  web:\n    image: x\n    healthcheck:\n      {line}\n"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no")]
    [InlineData("always")]
    [InlineData("unless-stopped")]
    [InlineData("on-failure")]
    [InlineData("on-failure:5")]
    public void Restart_ValidPolicies_AreKept(string policy) =>
        Assert.Equal(policy, TestLoader.Service($"image: x\nrestart: \"{policy}\"").Restart);

    [Theory]
    [InlineData("sometimes")]
    [InlineData("on-failure:x")]
    [InlineData("always:3")]
    public void Restart_InvalidPolicy_IsRefused(string policy) =>
        Assert.Contains($"invalid restart policy \"{policy}\"", TestLoader.Errors($"services:\n  web:\n    image: x\n    restart: \"{policy}\"\n"), StringComparison.Ordinal);

    [Fact]
    public void Deploy_ResourcesReplicasAndUpdateOrder_AreNormalized()
    {
        var web = TestLoader.Service("""
            image: x
            deploy:
              replicas: 3
              resources:
                limits: {cpus: "0.50", memory: 512m, pids: 100}
                reservations: {memory: 64M}
              restart_policy: {condition: on-failure, delay: 5s, max_attempts: 3}
              update_config: {order: start-first}
            """);

        Assert.Equal(3, web.Replicas);
        Assert.Equal((0.5m, 536_870_912L, 100L), (web.Deploy!.Resources!.Limits!.Cpus, web.Deploy.Resources.Limits.MemoryBytes, web.Deploy.Resources.Limits.Pids));
        Assert.Equal(500_000_000L, web.Deploy.Resources.Limits.NanoCpus);
        Assert.Equal(67_108_864L, web.Deploy.Resources.Reservations!.MemoryBytes);
        Assert.Equal(("on-failure", TimeSpan.FromSeconds(5), 3), (web.Deploy.RestartPolicy!.Condition, web.Deploy.RestartPolicy.Delay, web.Deploy.RestartPolicy.MaxAttempts));
        Assert.Equal("start-first", web.Deploy.UpdateConfig!.Order);
    }

    [Fact]
    public void Scale_GivesReplicas_AndDisagreeingWithDeployIsAnError()
    {
        Assert.Equal(4, TestLoader.Service("image: x\nscale: 4").Replicas);
        Assert.Equal(1, TestLoader.Service("image: x").Replicas);
        Assert.Contains("scale (2) and deploy.replicas (3) disagree", TestLoader.Errors("services:\n  web:\n    image: x\n    scale: 2\n    deploy: {replicas: 3}\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void UpdateOrder_Invalid_IsRefused() =>
        Assert.Contains("must be start-first or stop-first", TestLoader.Errors("services:\n  web:\n    image: x\n    deploy: {update_config: {order: random}}\n"), StringComparison.Ordinal);

    [Fact]
    public void Sizes_Cpus_Ulimits_Sysctls_Devices_ExtraHosts_AreNormalized()
    {
        var web = TestLoader.Service("""
            image: x
            mem_limit: 1g
            memswap_limit: 2g
            shm_size: 64M
            cpus: 1.5
            pids_limit: 50
            stop_grace_period: 1m
            ulimits:
              nproc: 65535
              nofile: {soft: 20000, hard: 40000}
            sysctls: ["net.core.somaxconn=1024"]
            devices:
              - /dev/ttyUSB0
              - /dev/gpiomem:/dev/gpiomem:rw
              - {source: /dev/i2c-1, target: /dev/i2c-1, permissions: r}
            extra_hosts: ["gw:10.0.0.1", "db=10.0.0.2", "v6=[::1]"]
            cap_add: [SYS_ADMIN, NET_ADMIN, SYS_ADMIN]
            """);

        Assert.Equal((1_073_741_824L, 2_147_483_648L, 67_108_864L, 1.5m, 50L), (web.MemLimitBytes!.Value, web.MemswapLimitBytes!.Value, web.ShmSizeBytes!.Value, web.Cpus!.Value, web.PidsLimit!.Value));
        Assert.Equal(TimeSpan.FromMinutes(1), web.StopGracePeriod);
        Assert.Equal((65535L, 65535L), (web.Ulimits["nproc"].Soft, web.Ulimits["nproc"].Hard));
        Assert.Equal((20000L, 40000L), (web.Ulimits["nofile"].Soft, web.Ulimits["nofile"].Hard));
        Assert.Equal("1024", web.Sysctls["net.core.somaxconn"]);
        Assert.Equal(["/dev/ttyUSB0>/dev/ttyUSB0:rwm", "/dev/gpiomem>/dev/gpiomem:rw", "/dev/i2c-1>/dev/i2c-1:r"], web.Devices.Select(d => $"{d.Source}>{d.Target}:{d.Permissions}"));
        Assert.Equal(["gw:10.0.0.1", "db:10.0.0.2", "v6:::1"], web.ExtraHosts.ToArray());
        Assert.Equal(["NET_ADMIN", "SYS_ADMIN"], web.CapAdd.ToArray());
    }

    [Fact]
    public void Networks_DefaultWhenNoneGiven_AliasesAndAddresses_AndUndeclaredIsAnError()
    {
        var project = TestLoader.Project("""
            services:
              a: {image: x}
              b:
                image: x
                networks:
                  back: {aliases: [db], ipv4_address: 172.20.0.5, priority: 10}
              c: {image: x, network_mode: host}
            networks:
              back:
                ipam: {config: [{subnet: 172.20.0.0/16}]}
            """);

        Assert.Equal(["default"], project.Services["a"].Networks.Keys);
        var back = project.Services["b"].Networks["back"];
        Assert.Equal(["db"], back.Aliases.ToArray());
        Assert.Equal(("172.20.0.5", 10), (back.Ipv4Address, back.Priority));
        Assert.Empty(project.Services["c"].Networks);
        Assert.Equal("test_default", project.Networks["default"].Name);
        Assert.Equal("172.20.0.0/16", project.Networks["back"].Ipam!.Config[0].Subnet);

        Assert.Contains("network \"front\" is not declared", TestLoader.Errors("services:\n  a:\n    image: x\n    networks: [front]\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigsAndSecrets_ShortSyntaxGetsDefaultTargets_AndUndeclaredIsAnError()
    {
        var project = TestLoader.Project("""
            services:
              web:
                image: x
                configs: [app]
                secrets: [token, {source: token, target: other, mode: "0400"}]
            configs:
              app: {file: ./app.conf}
            secrets:
              token: {file: /etc/token}
            """);

        var web = project.Services["web"];
        Assert.Equal("/app", web.Configs[0].Target);
        Assert.Equal(["/run/secrets/token", "/run/secrets/other"], web.Secrets.Select(s => s.Target));
        Assert.Equal(Convert.ToInt32("400", 8), web.Secrets[1].Mode);
        Assert.Equal(TestLoader.Directory + "/app.conf", project.Configs["app"].File);

        Assert.Contains("secret \"nope\" is not declared under the top-level secrets:", TestLoader.Errors("services:\n  web:\n    image: x\n    secrets: [nope]\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void SecretFromEnvironment_KeepsTheValueOutOfTheDigest()
    {
        const string Yaml = "services:\n  web:\n    image: x\n    secrets: [token]\nsecrets:\n  token: {environment: TOKEN}\n  fromfile: {environment: FROM_DOTENV}\n";

        var one = TestLoader.Project(Yaml, new Dictionary<string, string> { ["TOKEN"] = "s3cret" }, dotEnv: "FROM_DOTENV=dot\n");
        var other = TestLoader.Project(Yaml, new Dictionary<string, string> { ["TOKEN"] = "other" });

        Assert.Equal("s3cret", one.Secrets["token"].EnvironmentValue);
        Assert.Equal("dot", one.Secrets["fromfile"].EnvironmentValue);
        Assert.Null(other.Secrets["fromfile"].EnvironmentValue);
        Assert.Equal(one.Digest, other.Digest);
        Assert.DoesNotContain("s3cret", System.Text.Encoding.UTF8.GetString(CanonicalJson.Serialize(one)), StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownKey_SuggestsTheClosestKnownKey()
    {
        var result = TestLoader.Load("services:\n  web:\n    imagee: nginx\n");

        Assert.Contains(result.Errors, e => e.ToString() == "compose.yaml:3:5: service web: unknown key \"imagee\" (did you mean \"image\"?)");
    }

    [Fact]
    public void UnknownTopLevelKey_SuggestsTheClosestKnownKey() =>
        Assert.Contains("unknown key \"service\" (did you mean \"services\"?)", TestLoader.Errors("service:\n  web: {image: x}\nservices:\n  a: {image: x}\n"), StringComparison.Ordinal);

    [Fact]
    public void WrongType_SaysWhatWasExpected() =>
        Assert.Contains("service web: privileged: invalid boolean \"maybe\": must be true or false", TestLoader.Errors("services:\n  web:\n    image: x\n    privileged: maybe\n"), StringComparison.Ordinal);

    [Fact]
    public void BuildOnly_IsRefusedWithWhatToDo()
    {
        var result = TestLoader.Load("services:\n  web:\n    build: .\n");

        Assert.Equal("compose.yaml:3:5: service web has no image: build the image, push it to a registry and set image:", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void BuildWithImage_UsesImage_AndWarnsThatBuildIsIgnored()
    {
        var result = TestLoader.Load("services:\n  web:\n    image: registry.local/web:1\n    build: .\n");

        Assert.True(result.Succeeded);
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Contains("build: ignored", warning.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void SeveralErrors_AreReportedTogether_InFileOrder()
    {
        var result = TestLoader.Load("""
            services:
              web:
                image: x
                ports: ["99999"]
                restart: sometimes
              db:
                imag: y
            """);

        Assert.Equal([4, 5, 7, 7], result.Errors.Select(e => e.Line));
    }

    [Fact]
    public void NullItemInList_IsAnErrorNamingTheItem() =>
        Assert.Contains("service web: command[1]: must be a string, not null", TestLoader.Errors("services:\n  web:\n    image: x\n    command: [run, ~]\n"), StringComparison.Ordinal);

    [Fact]
    public void Extends_IsRefusedRatherThanSilentlyIgnored() =>
        Assert.Contains("service web: extends: not supported by Fleet", TestLoader.Errors("services:\n  base: {image: x}\n  web:\n    image: x\n    extends: base\n"), StringComparison.Ordinal);

    [Fact]
    public void ValidButUnappliedKey_IsAWarningNotAnError()
    {
        var result = TestLoader.Load("services:\n  web:\n    image: x\n    pid: host\n");

        Assert.True(result.Succeeded);
        Assert.Equal("compose.yaml:4:5: warning: service web: pid: not applied by Fleet, ignored", Assert.Single(result.Diagnostics).ToString());
    }

    [Theory]
    [InlineData("services:\n  \"web server\": {image: x}\n", "services: invalid name \"web server\"")]
    [InlineData("services:\n  web: {image: x}\nvolumes:\n  \"da/ta\":\n", "volumes: invalid name \"da/ta\"")]
    public void InvalidName_IsRefused(string yaml, string expected) =>
        Assert.Contains(expected, TestLoader.Errors(yaml), StringComparison.Ordinal);

    [Fact]
    public void ContainerName_WithSeveralReplicas_IsRefused() =>
        Assert.Contains("container_name: cannot be used with more than one replica", TestLoader.Errors("services:\n  web:\n    image: x\n    container_name: web\n    scale: 2\n"), StringComparison.Ordinal);

    [Theory]
    [InlineData("ports: [\"300.1.1.1:80:80\"]", "invalid host IP \"300.1.1.1\"")]
    [InlineData("ports: [{target: 80, host_ip: localhost}]", "ports[0].host_ip: invalid IP address \"localhost\"")]
    [InlineData("extra_hosts: [\"db:not-an-ip\"]", "extra_hosts[0]: invalid IP address \"not-an-ip\"")]
    [InlineData("networks: {default: {ipv4_address: \"::1\"}}", "networks.default.ipv4_address: invalid IPv4 address \"::1\"")]
    public void InvalidAddress_IsRefusedBeforeItReachesTheEngine(string line, string expected) =>
        Assert.Contains(expected, TestLoader.Errors($"services:\n  web:\n    image: x\n    {line}\n"), StringComparison.Ordinal);

    [Fact]
    public void ExtraHost_HostGateway_IsAccepted() =>
        Assert.Equal(["host.docker.internal:host-gateway"], TestLoader.Service("image: x\nextra_hosts: [\"host.docker.internal:host-gateway\"]").ExtraHosts.ToArray());
}
