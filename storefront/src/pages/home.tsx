import { useState } from "react";
import { useQuery } from "urql";
import { Empty, ErrorView, Loading } from "../components/feedback";
import { CategoryLevelDocument } from "../generated/graphql";
import { href, Link } from "../router";

/** The landing page: the category tree, one level loaded at a time as it is opened. */
export function HomePage() {
  return (
    <section aria-labelledby="tree-title">
      <h1 id="tree-title">Shop by category</h1>
      <CategoryLevel parentId={null} depth={0} />
    </section>
  );
}

/** The children of `parentId` (the top level for null), each with a button that loads its own. */
function CategoryLevel({ parentId, depth }: { parentId: string | null; depth: number }) {
  const [{ data, fetching, error }] = useQuery({ query: CategoryLevelDocument, variables: { parentId } });
  if (error) return <ErrorView error={error} />;
  if (!data) return fetching ? <Loading what="categories" /> : null;
  if (data.categories.length === 0) return <Empty>No categories yet.</Empty>;
  return (
    <ul className="tree" role={depth === 0 ? "tree" : "group"} aria-label={depth === 0 ? "Categories" : undefined}>
      {data.categories.map((category) => (
        <TreeNode key={category.id} category={category} depth={depth} />
      ))}
    </ul>
  );
}

function TreeNode({ category, depth }: { category: { id: string; name: string; slug: string; productCount: number; children: { id: string }[] }; depth: number }) {
  const [open, setOpen] = useState(false);
  const hasChildren = category.children.length > 0;
  return (
    <li role="treeitem" aria-expanded={hasChildren ? open : undefined} className="tree-node">
      <span className="tree-row">
        {hasChildren ? (
          <button type="button" className="toggle" aria-label={`${open ? "Collapse" : "Expand"} ${category.name}`} onClick={() => setOpen(!open)}>
            {open ? "▾" : "▸"}
          </button>
        ) : (
          <span className="toggle-spacer" aria-hidden="true" />
        )}
        <Link to={href.category(category.slug)}>{category.name}</Link>
        <span className="count" aria-label={`${category.productCount} products`}>
          {category.productCount}
        </span>
      </span>
      {open && <CategoryLevel parentId={category.id} depth={depth + 1} />}
    </li>
  );
}
