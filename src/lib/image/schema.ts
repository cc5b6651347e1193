// The JSON documents of image archives, validated once at the boundary (OCI image-spec v1.1,
// Docker image manifest v2.2, `docker save`'s manifest.json) and the media types nerdnet accepts.
import { z } from 'zod';

export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;

export const INDEX_TYPES: readonly string[] = [MEDIA.ociIndex, MEDIA.dockerList];
export const MANIFEST_TYPES: readonly string[] = [MEDIA.ociManifest, MEDIA.dockerManifest];
export const CONFIG_TYPES: readonly string[] = [MEDIA.ociConfig, MEDIA.dockerConfig];

// Tar layers, plain or gzip (zstd needs Node >= 22.15's zlib, so it is refused with a clear error).
export const LAYER_TYPES: readonly string[] = [
  'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.docker.image.rootfs.diff.tar',
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
];

const digest = z.string().regex(/^sha256:[a-f0-9]{64}$/, 'expected sha256:<64 lowercase hex digits>');

export const platformSchema = z.looseObject({
  architecture: z.string(),
  os: z.string(),
  variant: z.string().optional(),
});
export type Platform = z.infer<typeof platformSchema>;

export const descriptorSchema = z.looseObject({
  mediaType: z.string(),
  digest,
  size: z.number().int().nonnegative(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: platformSchema.optional(),
});
export type Descriptor = z.infer<typeof descriptorSchema>;

export const indexSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(descriptorSchema),
});

export const manifestSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
});
export type Manifest = z.infer<typeof manifestSchema>;

export const ociLayoutSchema = z.looseObject({ imageLayoutVersion: z.string() });

// `docker save`'s manifest.json: one entry per image; Config and Layers are paths in the tar.
export const dockerManifestSchema = z.array(
  z.looseObject({
    Config: z.string(),
    RepoTags: z.array(z.string()).nullish(),
    Layers: z.array(z.string()),
  }),
);

const strings = z.array(z.string()).nullish();

// Docker writes null for unset lists; every field but rootfs is optional.
export const imageConfigSchema = z.looseObject({
  created: z.string().nullish(),
  architecture: z.string().nullish(),
  os: z.string().nullish(),
  variant: z.string().nullish(),
  config: z
    .looseObject({
      User: z.string().nullish(),
      Env: strings,
      Cmd: strings,
      Entrypoint: strings,
      WorkingDir: z.string().nullish(),
      ExposedPorts: z.record(z.string(), z.unknown()).nullish(),
      Volumes: z.record(z.string(), z.unknown()).nullish(),
      Labels: z.record(z.string(), z.string()).nullish(),
      StopSignal: z.string().nullish(),
    })
    .nullish(),
  rootfs: z.looseObject({ type: z.literal('layers'), diff_ids: z.array(digest) }),
});
export type RawImageConfig = z.infer<typeof imageConfigSchema>;

// Zod's first issue as "path: message", for error text that names the offending field.
export function firstIssue(err: z.ZodError): string {
  const issue = err.issues[0];
  if (!issue) return err.message;
  const at = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  return `${at}: ${issue.message}`;
}
