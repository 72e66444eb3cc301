import type { RouteContract } from '../../http/contract.ts';
import { projectParams } from '../schemas/common.ts';
import {
  datasetDetail,
  datasetDownload,
  datasetJsonBody,
  datasetMultipartDoc,
  datasetPage,
  datasetParams,
  datasetSummary,
  datasetsQuery,
  datasetUpload,
  datasetVersionParams,
  downloadQuery,
  newDatasetJsonBody,
  newDatasetMultipartDoc,
} from '../schemas/datasets.ts';
import { errors, type Refusals, scopedErrors } from './shared.ts';

const tags = ['Datasets'];

/** What an uploaded log can be refused for whatever its body's shape. */
const LOG_REFUSALS: Refusals = {
  MissingColumn: 'the case id, activity or timestamp column is not in the log (the columns are listed)',
  InvalidDataset:
    'a row is invalid: an empty case id or activity, a timestamp that cannot be read, a ragged row, no rows',
  InvalidCsv: 'the file is not UTF-8 CSV text (binary, an unclosed quote)',
  UploadNotFound: 'no file was PUT to the presigned upload `uploadId` (or it expired)',
};

export const createDataset = {
  id: 'createDataset',
  summary:
    'Upload an event log (multipart CSV `file`, JSON `rows`, or a presigned `uploadId`); with `datasetId`, a new version of that dataset',
  tags,
  auth: true,
  params: projectParams,
  documentedBodies: { 'multipart/form-data': newDatasetMultipartDoc, 'application/json': newDatasetJsonBody },
  responses: {
    201: { description: 'Stored: the version and what was measured on it', schema: datasetSummary },
    ...scopedErrors({
      ...LOG_REFUSALS,
      ColumnRolesDiffer: 'with `datasetId`: a role column other than the dataset’s',
    }),
    ...errors(409, 413, 415),
  },
} satisfies RouteContract;

export const addDatasetVersion = {
  id: 'addDatasetVersion',
  summary: "Upload a new version of a dataset (same body as createDataset; the dataset's column roles)",
  tags,
  auth: true,
  params: datasetParams,
  documentedBodies: { 'multipart/form-data': datasetMultipartDoc, 'application/json': datasetJsonBody },
  responses: {
    201: { description: 'The new current version', schema: datasetSummary },
    ...scopedErrors({
      ...LOG_REFUSALS,
      ColumnRolesDiffer: 'a role column (caseIdColumn, …) other than the dataset’s',
      DatasetMismatch: 'the body’s `datasetId` is not the path’s',
    }),
    ...errors(409, 413, 415),
  },
} satisfies RouteContract;

export const createDatasetUpload = {
  id: 'createDatasetUpload',
  summary: 'A presigned URL to PUT a large CSV to, then POST `{name, uploadId}` to .../dataset',
  tags,
  auth: true,
  params: projectParams,
  responses: { 201: { description: 'Where to PUT the file', schema: datasetUpload }, ...scopedErrors() },
} satisfies RouteContract;

export const listDatasets = {
  id: 'listDatasets',
  summary: "The project's datasets, newest first, with their current version's counts",
  tags,
  auth: true,
  params: projectParams,
  query: datasetsQuery,
  responses: { 200: { description: 'A page of datasets', schema: datasetPage }, ...scopedErrors() },
} satisfies RouteContract;

export const getDataset = {
  id: 'getDataset',
  summary: 'A dataset: columns (types, roles), counts, time range, current version and every version',
  tags,
  auth: true,
  params: datasetParams,
  responses: { 200: { description: 'The dataset', schema: datasetDetail }, ...scopedErrors() },
} satisfies RouteContract;

export const downloadDatasetVersion = {
  id: 'downloadDatasetVersion',
  summary:
    "Download one version's normalised CSV: 302 to a time-limited URL, or with ?redirect=false that URL as JSON",
  tags,
  auth: true,
  params: datasetVersionParams,
  query: downloadQuery,
  responses: {
    200: { description: 'The download URL (redirect=false)', schema: datasetDownload },
    302: { description: 'Redirect to the time-limited download URL' },
    ...scopedErrors(),
  },
} satisfies RouteContract;

export const deleteDataset = {
  id: 'deleteDataset',
  summary: 'Delete a dataset, its versions and their data (409 DatasetInUse while a notebook is bound to it)',
  tags,
  auth: true,
  params: datasetParams,
  responses: { 204: { description: 'Deleted' }, ...scopedErrors(), ...errors(409) },
} satisfies RouteContract;
