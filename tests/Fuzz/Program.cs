using SharpFuzz;
using Websockify.Fuzz;

// Websockify.Fuzz TARGET                run under afl-fuzz: SharpFuzz's fork server feeds TARGET each input
// Websockify.Fuzz TARGET --replay DIR   run every file of DIR through TARGET in-process; exit 1 naming any that fail
// Websockify.Fuzz --list                the target names, one a line
if (args is ["--list"])
{
    foreach (var each in FuzzTargets.All)
    {
        Console.WriteLine(each.Name);
    }

    return 0;
}

if (args.Length is not (1 or 3) || FuzzTargets.Find(args[0]) is not { } target || (args.Length == 3 && args[1] != "--replay"))
{
    Console.Error.WriteLine($"usage: Websockify.Fuzz TARGET [--replay DIR] | --list   (targets: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))})");
    return 2;
}

if (args.Length == 3)
{
    var (files, failures) = CorpusReplay.Run(target, args[2]);
    foreach (var failure in failures)
    {
        Console.Error.WriteLine($"{target.Name}: {failure.File}: {failure.Error}");
    }

    Console.WriteLine($"{target.Name}: {files} files replayed, {failures.Count} failed");
    return failures.Count == 0 ? 0 : 1;
}

// Out of process: the fork server survives a stack overflow or a hang in the target and restarts it.
Fuzzer.OutOfProcess.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    target.Run(copy.GetBuffer().AsSpan(0, (int)copy.Length));
});
return 0;
