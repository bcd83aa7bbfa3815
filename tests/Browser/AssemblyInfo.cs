// Each test runs a VNC server, the daemon and a Chromium: on two cores, one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
