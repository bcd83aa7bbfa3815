// One booted container for the whole run, and the units in it driven one after the other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
