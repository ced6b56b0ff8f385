// dataset.json is an artifact (src/artifacts/dataset-manifest.ts); the dataset code keeps importing it from here.
export { DATASET_NAMES, MANIFEST_FILE, readDatasetManifest as readManifest, type DatasetManifest, type DatasetName } from '../../artifacts/dataset-manifest.js';
