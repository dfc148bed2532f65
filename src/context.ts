import type { CacheTrace } from "./cache/read-through";
import type { Loaders } from "./loaders";
import type { AdminService } from "./modules/admin/admin.service";

/** Who is asking; set by the auth plugin for writes (the writes issue adds roles). */
export interface Viewer {
  subject: string;
  roles: string[];
}

/** What every resolver receives, built once per request (never shared across requests). */
export interface Context {
  loaders: Loaders;
  services: {
    pagination: { defaultPageSize: number; maxPageSize: number };
    admin: AdminService;
  };
  viewer: Viewer | null;
  cacheTrace: CacheTrace;
}
