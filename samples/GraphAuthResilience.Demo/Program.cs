using GraphAuthResilience.Demo;

// dotnet run --project samples/GraphAuthResilience.Demo [-- diagnose ... | -- live | -- --help]
var command = args.Length > 0 ? args[0] : "scenarios";
return command switch
{
    "scenarios" => await ScenarioWalk.RunAsync(Console.Out),
    "diagnose" => await DiagnoseCommand.RunAsync(args[1..], Console.Out, Console.Error, Console.In),
    "live" => await LiveCommand.RunAsync(Console.Out, Console.Error),
    "permissions" => await PermissionsCommand.RunAsync(Console.Out),
    "fleet" => await GraphAuthResilience.Demo.Fleet.FleetCommand.RunAsync(args[1..], Console.Out, Console.Error),
    "fleet-instance" => await GraphAuthResilience.Demo.Fleet.FleetInstanceCommand.RunAsync(args[1..], Console.In, Console.Out),
    "-h" or "--help" or "help" => Help(),
    _ => Unknown(command),
};

static int Help()
{
    Console.WriteLine("""
        GraphAuthResilience demo. Runs offline: real MSAL and a real GraphServiceClient over in-process fakes.

          dotnet run --project samples/GraphAuthResilience.Demo
              Walk every scenario (success, burst, refresh, CAE, every failure cause) and print a table.
              Exits 1 if any scenario does not end as expected.

          dotnet run --project samples/GraphAuthResilience.Demo -- diagnose --status 403 --headers headers.txt
              --body body.json [--request "GET https://graph.microsoft.com/v1.0/users"] [--token-file token.txt]
              Explain a Graph answer you captured, with the library's real classifier. --body - reads stdin.

          dotnet run --project samples/GraphAuthResilience.Demo -- live
              Call GET /v1.0/users?$top=1 on a real tenant through the chain. Needs GRAPH_DEMO_TENANT_ID,
              GRAPH_DEMO_CLIENT_ID and GRAPH_DEMO_CLIENT_SECRET (an app with User.Read.All, admin consented).

          dotnet run --project samples/GraphAuthResilience.Demo -- fleet [--instances 8] [--redis host:port]
              N instance processes share Redis (started here from redis-server unless --redis is given), one fake
              token endpoint and one fake Graph (loopback only): cold start, then a revoked session. One line per
              check, among them "token requests: N". Exits 1 if a check fails.
        """);
    return 0;
}

static int Unknown(string command)
{
    Console.Error.WriteLine($"Unknown command '{command}'. Try --help.");
    return 2;
}
