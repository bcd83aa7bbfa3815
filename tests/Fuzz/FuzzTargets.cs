namespace Websockify.Fuzz;

/// <summary>Every target, by the name the command line, the corpus directory and <c>make fuzz</c> use.</summary>
public static class FuzzTargets
{
    public static IReadOnlyList<IFuzzTarget> All { get; } =
        [new HttpHeadTarget(), new FramesTarget(), new Base64Target(), new TokenFileTarget(), new CommandLineTarget(), new ProxyHeaderTarget()];

    public static IFuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);
}
