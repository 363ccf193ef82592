// Three tests at a time: the shop's lane (ShopCollection), the lane of the shop's runs that mostly wait
// (ShopWaitingCollection) and one test that starts the CLI or a small target. Most of their time is spent waiting on
// real processes, not on the 2 cores.
[assembly: CollectionBehavior(MaxParallelThreads = 3)]
