using GraphAuthResilience.Demo;
using GraphAuthResilience.Tool;

// graph-auth: dotnet tool install --global GraphAuthResilience.Tool, then graph-auth --help
var command = args.Length > 0 ? args[0] : "--help";
return command switch
{
    "diagnose" => await DiagnoseCommand.RunAsync(args[1..], Console.Out, Console.Error, Console.In).ConfigureAwait(false),
    "permissions" => PermissionsCommand.Run(args[1..], Console.Out, Console.Error),
    "report" => await ReportCommand.RunAsync(args[1..], Console.Out, Console.Error, Console.In).ConfigureAwait(false),
    "-h" or "--help" or "help" => Help(),
    _ => Unknown(command),
};

static int Help()
{
    Console.WriteLine("""
        graph-auth: Microsoft Graph auth failures, explained offline with GraphAuthResilience's own classifier.

          graph-auth diagnose --status 403 --headers headers.txt --body body.json
                     [--request "GET https://graph.microsoft.com/v1.0/users"] [--token-file token.txt]
              Explain a Graph (or token endpoint) answer you captured: cause, remediation, required permissions,
              Graph error code, request ids, what the token said (never the token). --body - reads stdin.

          graph-auth permissions GET https://graph.microsoft.com/v1.0/users/{id}
              The permissions the operation accepts per token kind, least privileged first, with their ids, and the
              Azure CLI commands that grant the least privileged ones.

          graph-auth report permission-report.json
              Render a recorded permission report (the JSON of IGraphPermissionUsage.GetReport().ToJson(), from an
              app with GraphAuthOptions.RecordPermissionUse on) as markdown: needed, held, missing, unused.
        """);
    return 0;
}

static int Unknown(string command)
{
    Console.Error.WriteLine($"Unknown command '{command}'. Try graph-auth --help.");
    return 2;
}
