namespace Reader.Loader;

/// <summary>One patch of an epoch: the slide (index in the dataset), its level-0 origin, and its label (-1: none).</summary>
public readonly record struct LoaderPatch(int Slide, long X, long Y, int Label);
