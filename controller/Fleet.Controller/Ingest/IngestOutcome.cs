namespace Fleet.Controller.Ingest;

public enum IngestOutcome
{
    Taken,
    Duplicate,
    UnknownDevice,
    Malformed,
    Ignored,
}
