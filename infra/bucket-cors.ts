/**
 * The notebook bucket's CORS rules, one source for CDK and the local stack: a page may read a
 * presigned GET URL it was given (the viewer fetches notebooks above the inline limit from
 * their `contentUrl`). Any origin, no credentials: the presigned URL is the credential, so
 * this lets script read what its holder can already download, and nothing else (no PUT, no
 * listing, no unsigned request is allowed by it).
 */
export const BUCKET_CORS_RULES = [
  { allowedMethods: ['GET', 'HEAD'], allowedOrigins: ['*'], maxAge: 3600 },
] as const;
