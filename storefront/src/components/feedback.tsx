import type { CombinedError } from "urql";

/** A GraphQL error as the app shows it: the gateway's `extensions.code` and `field` come first. */
export interface ShownError {
  code: string;
  field: string | null;
  message: string;
}

/** The errors of a result, network failures included, each with its code and field. */
export function errorsOf(error: CombinedError | undefined): ShownError[] {
  if (!error) return [];
  if (error.graphQLErrors.length === 0) {
    return [{ code: "NETWORK_ERROR", field: null, message: error.networkError?.message ?? error.message }];
  }
  return error.graphQLErrors.map((e) => ({
    code: typeof e.extensions?.code === "string" ? e.extensions.code : "UNKNOWN",
    field: typeof e.extensions?.field === "string" ? e.extensions.field : null,
    message: e.message,
  }));
}

/** The errors of a request, announced to screen readers. Renders nothing without an error. */
export function ErrorView({ error }: { error: CombinedError | undefined }) {
  const errors = errorsOf(error);
  if (errors.length === 0) return null;
  return (
    <div className="error" role="alert">
      {errors.map((e, i) => (
        <p key={i} data-code={e.code} data-field={e.field ?? undefined}>
          <strong className="error-code">{e.code}</strong>
          {e.field && <span className="error-field"> (field: {e.field})</span>}: {e.message}
        </p>
      ))}
    </div>
  );
}

/** A loading line with a live region, so a screen reader hears that something is on its way. */
export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

/** What an empty list says. */
export function Empty({ children }: { children: React.ReactNode }) {
  return <p className="empty">{children}</p>;
}

const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });

/** A price in the catalog's currency. */
export function formatPrice(price: number): string {
  return money.format(price);
}
