using Websockify.Wrapping;

namespace Websockify.Tests.Unit.Wrapping;

public sealed class ProcessTreeTests
{
    [Fact]
    public void Descendants_include_grandchildren_and_adopted_orphans_but_not_siblings()
    {
        ProcessTree.Entry[] snapshot =
        [
            new(1, 0, 'S'), new(100, 1, 'S'),          // us, under init
            new(200, 100, 'S'), new(201, 200, 'S'),    // the program and its child
            new(300, 100, 'Z'),                        // an adopted orphan that exited
            new(400, 1, 'S'), new(401, 400, 'S'),      // unrelated
        ];

        var pids = ProcessTree.DescendantsOf(100, snapshot).Select(e => e.Pid).Order().ToArray();

        Assert.Equal([200, 201, 300], pids);
    }

    [Fact]
    public void Snapshot_of_this_machine_contains_this_process_and_its_parent()
    {
        var self = ProcessTree.Snapshot().Single(e => e.Pid == Environment.ProcessId);
        Assert.True(self.ParentPid > 0);
        Assert.Contains(self.State, "RS"); // running or sleeping: a live process
    }
}
