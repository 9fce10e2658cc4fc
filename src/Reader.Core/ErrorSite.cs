namespace Reader.Core;

/// <summary>
/// Where an error happened ("level 0 (IFD 0) tile (3, 7)"), formatted only when an exception is
/// built, so the read path carries it without allocating a string per tile.
/// </summary>
internal readonly struct ErrorSite
{
    private readonly string? name;
    private readonly long tx;
    private readonly long ty;
    private readonly bool tile;

    public ErrorSite(string? name)
    {
        this.name = name;
    }

    public ErrorSite(string name, long tx, long ty)
    {
        this.name = name;
        this.tx = tx;
        this.ty = ty;
        tile = true;
    }

    public static implicit operator ErrorSite(string? name) => new(name);

    public override string ToString() => tile ? $"{name} tile ({tx}, {ty})" : name ?? string.Empty;
}
