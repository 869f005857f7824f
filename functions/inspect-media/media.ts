/** What a format reader finds: flat attribute values, only those it knows. */
export type MediaAttributes = Record<string, string | number>;
