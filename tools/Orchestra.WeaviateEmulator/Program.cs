using System.Globalization;
using System.Runtime.InteropServices;
using Orchestra.WeaviateEmulator;

// dotnet run --project tools/Orchestra.WeaviateEmulator -- --port 8079 [--grpc-port 50051] [--host 127.0.0.1] [--api-key KEY] [--demo-objects 2000] [--nodes 1]
// dotnet run --project tools/Orchestra.WeaviateEmulator -- --write-demo-vectors tools/Orchestra.WeaviateEmulator/Demo/memory-vectors.f16

const string usage = """
    Usage: Orchestra.WeaviateEmulator --write-demo-vectors FILE
           Orchestra.WeaviateEmulator [--port 8079] [--grpc-port N] [--host 127.0.0.1] [--api-key KEY] [--demo-objects 2000] [--nodes 1] [--version 1.40.0]
      --port          TCP port (0 = any free port); default 8079
      --grpc-port     serve Weaviate's gRPC API (weaviate.v1, grpc.health.v1; HTTP/2 cleartext) on this
                      port (0 = any free port); default: no gRPC server
      --host          IP address to listen on; default 127.0.0.1
      --api-key       require "Authorization: Bearer KEY" on /v1 (live/ready excepted)
      --demo-objects  deterministic demo Memory objects to load; default 2000 (0 = none, at most 2500)
      --nodes         number of emulated nodes; default 1
      --version       Weaviate version to report; default 1.40.0
      --write-demo-vectors FILE
                      embed the demo memories with the MiniLM model, write their vectors to FILE and exit
    Faults: GET/PUT/POST/DELETE http://HOST:PORT/_emulator/faults (see README.md).
    """;

var options = new EmulatorOptions { Port = 8079, DemoObjects = 2000 };
try
{
    for (var i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        int Int() => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new ArgumentException($"{args[i]} needs a number");
        switch (args[i])
        {
            case "--port": options.Port = Int(); break;
            case "--grpc-port": options.GrpcPort = Int(); break;
            case "--host": options.Host = Value(); break;
            case "--api-key": options.ApiKey = Value(); break;
            case "--demo-objects": options.DemoObjects = Int(); break;
            case "--nodes": options.Nodes = Int(); break;
            case "--version": options.Version = Value(); break;
            case "--write-demo-vectors": return await DemoVectorsCommand.RunAsync(Value(), Console.Out);
            case "-h" or "--help":
                Console.WriteLine(usage);
                return 0;
            default: throw new ArgumentException($"unknown option {args[i]}");
        }
    }
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(usage);
    return 2;
}

RunningEmulator emulator;
try
{
    emulator = await RunningEmulator.StartAsync(options);
}
catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException)
{
    Console.Error.WriteLine($"Weaviate emulator could not start: {e.Message}");
    return 1;
}

var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.TrySetResult();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.TrySetResult();
});

Console.WriteLine($"Weaviate emulator listening on {emulator.Url.ToString().TrimEnd('/')}");
if (emulator.GrpcUrl is { } grpcUrl)
    Console.WriteLine($"Weaviate emulator gRPC on {grpcUrl.ToString().TrimEnd('/')}");
await stop.Task;
await emulator.StopAsync();
return 0;
