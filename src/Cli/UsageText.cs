using System.Text;

namespace Websockify.Cli;

/// <summary>The usage and help texts, in upstream's order, generated from <see cref="OptionTable"/>.</summary>
internal static class UsageText
{
    public const string Usage =
        "Usage: \n" +
        "    websockify [options] [source_addr:]source_port target_addr:target_port\n" +
        "    websockify [options] --token-plugin=CLASS [source_addr:]source_port\n" +
        "    websockify [options] --unix-target=FILE [source_addr:]source_port\n" +
        "    websockify [options] --unix-listen=FILE [[source_addr:]source_port] target_addr:target_port\n" +
        "    websockify [options] [source_addr:]source_port -- WRAP_COMMAND_LINE\n";

    public static string Help()
    {
        var text = new StringBuilder(Usage).Append("\nOptions:\n");
        foreach (var option in OptionTable.All)
        {
            var names = new StringBuilder("  ");
            if (option.Short is { } s)
            {
                names.Append('-').Append(s).Append(", ");
            }

            names.Append("--").Append(option.Long);
            if (option.TakesValue)
            {
                names.Append('=').Append(option.Metavar);
            }

            var help = option.Availability == OptionAvailability.NotSupportedYet
                ? option.Help + " (not supported yet)"
                : option.Help;
            // A name that reaches the help column gets the help on a line of its own (optparse's layout).
            text.Append(names.ToString().PadRight(30));
            text.Append(names.Length >= 29 ? "\n" + new string(' ', 30) : "").Append(help).Append('\n');
        }

        return text.ToString();
    }
}
