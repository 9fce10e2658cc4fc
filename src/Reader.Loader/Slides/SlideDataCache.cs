namespace Reader.Loader;

/// <summary>A small thread-safe least-recently-used map; values are computed outside the lock (a race computes twice, harmlessly).</summary>
internal sealed class SlideDataCache<TValue>(int capacity)
    where TValue : class
{
    private readonly Dictionary<int, LinkedListNode<(int Key, TValue Value)>> map = [];
    private readonly LinkedList<(int Key, TValue Value)> order = [];
    private readonly Lock gate = new();

    public int Count
    {
        get
        {
            lock (gate)
            {
                return map.Count;
            }
        }
    }

    public TValue GetOrAdd(int key, Func<int, TValue> create)
    {
        lock (gate)
        {
            if (map.TryGetValue(key, out var node))
            {
                order.Remove(node);
                order.AddFirst(node);
                return node.Value.Value;
            }
        }

        TValue value = create(key);
        lock (gate)
        {
            if (map.TryGetValue(key, out var existing))
            {
                return existing.Value.Value;
            }

            map[key] = order.AddFirst((key, value));
            while (map.Count > capacity && order.Last is { } last)
            {
                order.RemoveLast();
                map.Remove(last.Value.Key);
            }

            return value;
        }
    }
}
