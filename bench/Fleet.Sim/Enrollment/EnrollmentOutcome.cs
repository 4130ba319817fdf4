using Fleet.Protocol.Enrollment;

namespace Fleet.Sim.Enrollment;

/// <summary>The devices enrolled, and for those that were not, why (one line each, in device order).</summary>
public sealed record EnrollmentOutcome(IReadOnlyList<EnrollmentResponse> Enrolled, IReadOnlyList<string> Failures);
