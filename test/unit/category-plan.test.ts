import type { CategoryInput } from "../../src/data/import/catalog-input";
import { planCategories, type CategoryRow } from "../../src/data/import/category-plan";

const input = (externalId: string, name: string, parentExternalId: string | null = null): CategoryInput => ({ externalId, name, parentExternalId });

describe("planCategories", () => {
  const fresh = planCategories(
    [],
    [input("phones-x", "Prepaid Phones", "cell-x"), input("cell-x", "Cell Phones"), input("acc-x", "Accessories", "phones-x"), input("acc-y", "Accessories", "cell-x")],
    [10, 11, 12, 13],
  );
  const row = (rows: CategoryRow[], externalId: string) => rows.find((r) => r.externalId === externalId)!;

  it("inserts parents before children, whatever the input order, with paths that include the category itself", () => {
    // Ids are taken in the order the inputs are placed: a parent before its children.
    expect(fresh.inserts.map((r) => [r.externalId, r.path, r.depth])).toEqual([
      ["cell-x", "/10/", 0],
      ["acc-y", "/10/11/", 1],
      ["phones-x", "/10/12/", 1],
      ["acc-x", "/10/12/13/", 2],
    ]);
    expect(fresh.updates).toEqual([]);
  });

  it("gives a clashing slug its parent's slug as a prefix", () => {
    // Breadth first: "Accessories" under Cell Phones is allocated before the one under Prepaid Phones.
    expect(row(fresh.rows, "acc-y").slug).toBe("accessories");
    expect(row(fresh.rows, "acc-x").slug).toBe("prepaid-phones-accessories");
  });

  it("is idempotent: the same inputs against the result change nothing", () => {
    const again = planCategories(fresh.rows, [input("cell-x", "Cell Phones"), input("phones-x", "Prepaid Phones", "cell-x")], []);
    expect(again).toMatchObject({ inserts: [], updates: [], unchanged: 2, rejections: [] });
  });

  it("moves a subtree: every descendant's path and depth follow, slugs stay", () => {
    const moved = planCategories(fresh.rows, [input("phones-x", "Prepaid Phones", "acc-y")], []);
    expect(moved.updates.map((r) => [r.externalId, r.path, r.depth, r.slug])).toEqual([
      ["phones-x", "/10/11/12/", 2, "prepaid-phones"],
      ["acc-x", "/10/11/12/13/", 3, "prepaid-phones-accessories"],
    ]);
  });

  it("renames without changing the slug, so links keep working", () => {
    const renamed = planCategories(fresh.rows, [input("cell-x", "Mobile Phones")], []);
    expect(renamed.updates).toEqual([expect.objectContaining({ name: "Mobile Phones", slug: "cell-phones" })]);
  });

  it("rejects a move under the category's own descendant, an unknown parent and a duplicate", () => {
    const plan = planCategories(
      fresh.rows,
      [input("cell-x", "Cell Phones", "acc-x"), input("new", "New", "missing"), input("n2", "N2", "new"), input("n3", "N3"), input("n3", "N3 again")],
      [20, 21, 22],
    );
    expect(plan.rejections.map((r) => [r.key, r.reason])).toEqual([
      ["n3", "external id is a duplicate"],
      ["cell-x", "parent is the category itself or one of its descendants"],
      ["new", "parent was not found"],
      ["n2", "parent was rejected"],
    ]);
    expect(plan.inserts.map((r) => r.externalId)).toEqual(["n3"]);
    expect(plan.updates).toEqual([]);
  });
});
