// Four lanes, one test at a time in each: the shop's three (ShopCollection, ShopServicesCollection,
// ShopWaitingCollection) and every other class in the assembly's one collection (CollectionPerAssembly: the CLI tests and
// small targets). xunit's conservative scheduling starts no more tests than MaxParallelThreads and a test holds its slot
// until it ends, so with as many slots as lanes no test queues behind another lane's: with a collection per class and
// fewer slots, the shop lanes' tests waited behind the CLI classes (ci21: 19.5 min for lanes of at most 13.8).
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly, MaxParallelThreads = 4)]
