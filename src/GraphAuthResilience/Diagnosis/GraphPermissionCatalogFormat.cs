namespace GraphAuthResilience.Diagnosis;

/// <summary>
/// The layout of the embedded permission catalog (<c>GraphPermissionCatalog.generated.bin</c>), shared by the
/// generator that writes it and the catalog that reads it in place. Little-endian throughout; strings are UTF-8 in
/// one heap, written once each and referenced by offset and length.
/// </summary>
/// <remarks>
/// <para>Header (<see cref="HeaderSize"/> bytes): the magic <c>GPC1</c>, then u32 counts (permissions, display texts,
/// notes, nodes, operations), u32 section offsets (permissions, texts, notes, nodes, hash tables, heap), and the
/// notice (source and license of the data it is derived from) as a string reference at <see cref="NoticeAt"/>.</para>
/// <para>Permission record (<see cref="PermissionSize"/> bytes, ordered by name): name (u32 offset, u16 length);
/// u8 flags (<see cref="ResourceSpecific"/>, <see cref="HasScopeId"/>, <see cref="HasAppRoleId"/>,
/// <see cref="ScopeIdInUsGovernment"/>, <see cref="AppRoleIdInUsGovernment"/>); one u8 per scheme (DelegatedWork,
/// DelegatedPersonal, Application: 0 when absent, else <see cref="SchemePresent"/>, <see cref="SchemeAdmin"/> and
/// the privilege level); the scope id and the app role id (16 bytes each, <see cref="Guid.TryWriteBytes(Span{byte})"/>
/// order); six u16 display text indexes (admin and user text per scheme, <see cref="NoText"/> when none).</para>
/// <para>Text and note records: u32 offset, u16 length, u16 zero.</para>
/// <para>Node record (<see cref="NodeSize"/> bytes, breadth first, root first, so a node's children are
/// contiguous: the wildcard child first when there is one, then the literal children): token (u32 offset, u16
/// length); u16 number of literal children; entries (u32 offset, u16 length, 0 when none: the text form
/// <c>METHOD[/bodyProperty]=flags;W:grants;P:grants;A:grants;n:note</c> joined by <c>|</c>, grants being permission
/// indexes, <c>!</c> when least-privileged, <c>+i.j</c> for AlsoRequires); u16 flags (<see cref="HasWildcard"/>);
/// u32 first child; u32 parent (<see cref="NoNode"/> for the root); u32 offset of the hash table of the literal
/// children (0 when there are no more than <see cref="SmallChildren"/>, which are scanned).</para>
/// <para>Hash table: <see cref="Slots(int)"/> u32 slots holding child index + 1 (0 empty), open addressing with
/// linear probing on <see cref="Hash(ReadOnlySpan{char})"/> of the token folded to ASCII lower case. Tokens are
/// ASCII (the generator checks), compared ASCII case-insensitively.</para>
/// </remarks>
internal static class GraphPermissionCatalogFormat
{
    public const uint Magic = 0x31435047; // "GPC1"

    public const int HeaderSize = 64;
    public const int PermissionSize = 56;
    public const int StringRefSize = 8;
    public const int NodeSize = 28;

    /// <summary>Literal children up to this many are scanned; more are found through a hash table.</summary>
    public const int SmallChildren = 8;

    public const ushort NoText = ushort.MaxValue;
    public const uint NoNode = uint.MaxValue;

    public const byte ResourceSpecific = 1;
    public const byte HasScopeId = 2;
    public const byte HasAppRoleId = 4;
    public const byte ScopeIdInUsGovernment = 8;
    public const byte AppRoleIdInUsGovernment = 16;

    public const byte SchemePresent = 0x80;
    public const byte SchemeAdmin = 0x40;
    public const byte SchemeLevel = 0x0F;

    public const ushort HasWildcard = 1;

    // Header fields (byte offsets).
    public const int PermissionCountAt = 4;
    public const int TextCountAt = 8;
    public const int NoteCountAt = 12;
    public const int NodeCountAt = 16;
    public const int OperationCountAt = 20;
    public const int PermissionsAt = 24;
    public const int TextsAt = 28;
    public const int NotesAt = 32;
    public const int NodesAt = 36;
    public const int HashesAt = 40;
    public const int HeapAt = 44;
    public const int NoticeAt = 48;

    /// <summary>The number of slots of a hash table for this many literal children: a power of two, at least twice as many.</summary>
    public static int Slots(int children)
    {
        var slots = 16;
        while (slots < children * 2)
        {
            slots <<= 1;
        }

        return slots;
    }

    /// <summary>FNV-1a over the token folded to ASCII lower case; -1 when it holds a character that is not ASCII
    /// (no catalog token does, so such a segment only ever matches a wildcard).</summary>
    public static long Hash(ReadOnlySpan<char> token)
    {
        var hash = 2166136261u;
        foreach (var c in token)
        {
            if (c > 0x7F)
            {
                return -1;
            }

            hash = (hash ^ Fold(c)) * 16777619u;
        }

        return hash;
    }

    /// <summary>The same hash over an ASCII token's bytes.</summary>
    public static long Hash(ReadOnlySpan<byte> token)
    {
        var hash = 2166136261u;
        foreach (var b in token)
        {
            hash = (hash ^ Fold((char)b)) * 16777619u;
        }

        return hash;
    }

    /// <summary>Whether an ASCII token equals a segment, ignoring ASCII case.</summary>
    public static bool EqualsFolded(ReadOnlySpan<byte> token, ReadOnlySpan<char> segment)
    {
        if (token.Length != segment.Length)
        {
            return false;
        }

        for (var i = 0; i < token.Length; i++)
        {
            var c = segment[i];
            if (c > 0x7F || Fold((char)token[i]) != Fold(c))
            {
                return false;
            }
        }

        return true;
    }

    private static uint Fold(char c) => c is >= 'A' and <= 'Z' ? (uint)(c | 0x20) : c;
}
