// KubeClient module. Filled in by its own files.
