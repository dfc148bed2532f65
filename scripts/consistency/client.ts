/** A GraphQL response as the checker reads it. */
export interface Response<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** POSTs one operation over HTTP, as any client of the gateway would. */
export async function post<T>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Response<T>> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Response<T>;
}

/** `data` of a response, or an error carrying the first GraphQL error's code and message. */
export async function postData<T>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<T> {
  const response = await post<T>(url, query, variables, headers);
  const [error] = response.errors ?? [];
  if (error || !response.data) {
    throw new Error(`GraphQL ${error?.extensions?.code ?? "error"}: ${error?.message ?? "no data"}`);
  }
  return response.data;
}
