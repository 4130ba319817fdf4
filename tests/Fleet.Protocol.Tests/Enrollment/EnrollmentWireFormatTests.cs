using System.Text;
using Fleet.Protocol.Enrollment;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;

namespace Fleet.Protocol.Tests.Enrollment;

public class EnrollmentWireFormatTests
{
    [Fact]
    public void EnrollmentRequest_SerializesToThePinnedShape()
    {
        var request = new EnrollmentRequest
        {
            Token = "t0k3n", DeviceId = "dev-1", Labels = new Dictionary<string, string> { ["site"] = "berlin" },
        };

        Assert.Equal(
            """{"token":"t0k3n","deviceId":"dev-1","labels":{"site":"berlin"}}""",
            Encoding.UTF8.GetString(ProtocolJson.Serialize(request, ProtocolJsonContext.Default.EnrollmentRequest)));
    }

    [Fact]
    public void EnrollmentResponse_SerializesToThePinnedShapeAndParsesBack()
    {
        var response = new EnrollmentResponse
        {
            DeviceId = "dev-1",
            Broker = new BrokerCredentials { Uri = new Uri("mqtts://broker.local:8883"), Username = "dev-1", Password = "pw" },
            Root = new PublicKeyDocument { Kid = "root-1", PublicKey = new byte[] { 1, 2 } },
        };

        var json = ProtocolJson.Serialize(response, ProtocolJsonContext.Default.EnrollmentResponse);
        var parsed = ProtocolJson.Parse(json, ProtocolJsonContext.Default.EnrollmentResponse);

        Assert.Equal(
            """{"deviceId":"dev-1","broker":{"uri":"mqtts://broker.local:8883","username":"dev-1","password":"pw"},"root":{"kid":"root-1","publicKey":"AQI="},"trust":{"certificates":[]},"labels":{}}""",
            Encoding.UTF8.GetString(json));
        Assert.True(parsed.Succeeded, parsed.Error);
        Assert.Equal(new Uri("mqtts://broker.local:8883"), parsed.Value.Broker.Uri);
    }
}
