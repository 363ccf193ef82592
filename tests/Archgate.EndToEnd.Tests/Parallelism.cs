// Four tests at a time: the shop's three lanes (ShopCollection, ShopServicesCollection, ShopWaitingCollection) and one
// test that starts the CLI or a small target. Most of their time is spent waiting on real processes, not on the 2 cores.
[assembly: CollectionBehavior(MaxParallelThreads = 4)]
