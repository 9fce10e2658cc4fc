using Reader.Core.Decode;

namespace Reader.Core.Assemble;

/// <summary>One readable level: its public description and the decoder of its tiles.</summary>
internal sealed class LevelSource(SlideLevel info, TileDecoder decoder)
{
    public SlideLevel Info { get; } = info;

    public TileDecoder Decoder { get; } = decoder;
}
