// The package ships no types (ioredis uses it untyped); only what redis-routing.ts calls.
declare module "cluster-key-slot" {
  /** The Redis Cluster hash slot (0..16383) of a key, honouring its hash tag (`{...}`). */
  function calculateSlot(key: string | Buffer): number;
  export = calculateSlot;
}
