using System.Globalization;
using System.Text;

namespace Fleet.Compose.Benchmarks;

/// <summary>A realistic stack of many services: ports, environment, mounts, healthchecks, dependencies, anchors.</summary>
internal static class StackGenerator
{
    public static string Generate(int services)
    {
        var yaml = new StringBuilder();
        yaml.Append("""
            x-defaults: &defaults
              restart: unless-stopped
              logging:
                driver: json-file
                options: {max-size: 10m, max-file: "3"}
              labels:
                fleet.example/tier: edge

            services:

            """);
        for (var i = 0; i < services; i++)
        {
            var name = "svc" + i.ToString("D3", CultureInfo.InvariantCulture);
            var minor = i % 10;
            var volume = i % 5;
            yaml.Append($$"""
                  {{name}}:
                    <<: *defaults
                    image: registry.local:5000/fleet/{{name}}:${TAG:-1.{{minor}}}
                    command: ["/app/run", "--id", "{{i}}", "--verbose"]
                    ports:
                      - "{{20000 + i}}:8080"
                      - target: 9090
                        published: "{{30000 + i}}"
                        protocol: udp
                    environment:
                      SERVICE: {{name}}
                      REGION: ${REGION:-eu-west}
                      BROKER: mqtt://broker:1883
                      LEVEL: info
                    volumes:
                      - data{{volume}}:/var/lib/app
                      - ./config/{{name}}:/etc/app:ro
                    healthcheck:
                      test: ["CMD", "/app/health"]
                      interval: 30s
                      timeout: 5s
                      retries: 3
                    deploy:
                      resources:
                        limits: {cpus: "0.25", memory: 64m}

                """);
            if (i > 0)
            {
                yaml.Append(CultureInfo.InvariantCulture, $"    depends_on: [svc{(i - 1).ToString("D3", CultureInfo.InvariantCulture)}]\n");
            }
        }

        yaml.Append("volumes:\n");
        for (var v = 0; v < 5; v++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  data{v}:\n");
        }

        return yaml.ToString();
    }
}
