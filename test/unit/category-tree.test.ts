import { jsonCodec, memoizedCodec, type Codec } from "../../src/cache/codec";
import { createCategoryTreeCodec, indexCategoryTree, type TreeNode } from "../../src/loaders/category-tree";

const node = (id: number, parentId: number | null, name: string, depth: number): TreeNode => ({ id, parentId, name, slug: name.toLowerCase(), depth });
// In name order, as the repository returns them.
const nodes = [node(2, null, "Audio", 0), node(4, 2, "Headphones", 1), node(3, 1, "Laptops", 1), node(1, null, "Computers", 0), node(5, 4, "Wireless", 2)].sort(
  (a, b) => a.name.localeCompare(b.name),
);

describe("memoizedCodec", () => {
  const counting = () => {
    const inner = jsonCodec<number[]>();
    const decoded: string[] = [];
    const codec: Codec<number[]> = { encode: inner.encode, decode: (text) => (decoded.push(text), inner.decode(text)) };
    return { codec: memoizedCodec(codec), decoded };
  };

  it("decodes the same text once, and hands back the same value", () => {
    const { codec, decoded } = counting();
    const first = codec.decode("[1,2]");
    expect(codec.decode("[1,2]")).toBe(first);
    expect(decoded).toEqual(["[1,2]"]);
  });

  it("decodes a different text afresh: a retired value is never returned for a new entry", () => {
    const { codec, decoded } = counting();
    codec.decode("[1,2]");
    expect(codec.decode("[1,3]")).toEqual([1, 3]);
    expect(codec.decode("[1,2]")).toEqual([1, 2]);
    expect(decoded).toEqual(["[1,2]", "[1,3]", "[1,2]"]);
  });

  it("remembers what it encoded, so the fill's own text needs no decode", () => {
    const { codec, decoded } = counting();
    const value = [7];
    expect(codec.decode(codec.encode(value))).toBe(value);
    expect(decoded).toEqual([]);
  });
});

describe("category tree", () => {
  it("indexes children in name order and nests to a depth", () => {
    const tree = indexCategoryTree(nodes);
    expect(tree.childrenOf(null).map((n) => n.name)).toEqual(["Audio", "Computers"]);
    expect(tree.node(5)?.parentId).toBe(4);
    const names = (depth: number) => JSON.stringify(tree.nested(depth), (key, value) => (key === "node" ? value.name : value));
    expect(JSON.parse(names(0))).toEqual([{ node: "Audio", children: [] }, { node: "Computers", children: [] }]);
    expect(JSON.parse(names(1))).toEqual([
      { node: "Audio", children: [{ node: "Headphones", children: [] }] },
      { node: "Computers", children: [{ node: "Laptops", children: [] }] },
    ]);
    expect(tree.nested(2)[0].children[0].children.map((n) => n.node.name)).toEqual(["Wireless"]);
    expect(tree.nested(1)).toBe(tree.nested(1));
  });

  it("round-trips through its codec, decoding a text once", () => {
    const codec = createCategoryTreeCodec();
    const text = codec.encode(indexCategoryTree(nodes));
    const decoded = createCategoryTreeCodec().decode(text);
    expect(decoded.nodes).toEqual(nodes);
    expect(decoded.childrenOf(2).map((n) => n.id)).toEqual([4]);
    const again = createCategoryTreeCodec();
    expect(again.decode(text)).toBe(again.decode(text));
  });
});
