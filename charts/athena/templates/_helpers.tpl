{{/*
Names and labels shared by every template.
*/}}

{{- define "athena.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: <release>-athena, or just <release> when it already contains the chart name.
Truncated to 63 characters (DNS label limit).
*/}}
{{- define "athena.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "athena.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "athena.selectorLabels" -}}
app.kubernetes.io/name: {{ include "athena.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "athena.labels" -}}
helm.sh/chart: {{ include "athena.chart" . }}
{{ include "athena.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: athena-serving
{{- end }}

{{- define "athena.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "athena.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The operator image reference. */}}
{{- define "athena.operatorImage" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The gateway sidecar image reference the operator puts into every OnlineService pod. */}}
{{- define "athena.gatewayImage" -}}
{{- printf "%s:%s" .Values.gateway.image.repository (default .Chart.AppVersion .Values.gateway.image.tag) }}
{{- end }}

{{/*
The rules the operator needs on the objects it watches and builds, in the watched namespace(s).
Least privilege: no wildcards; Secrets are read-only (auth keys are mounted, never written);
Pods are read-only (readiness is read, Deployments own the Pods).
*/}}
{{- define "athena.managerRules" -}}
- apiGroups: ["serving.athena.dev"]
  resources: ["aiapplications", "onlineservices", "batchservices"]
  verbs: ["get", "list", "watch", "update", "patch"]
- apiGroups: ["serving.athena.dev"]
  resources: ["aiapplications/status", "onlineservices/status", "batchservices/status"]
  verbs: ["get", "update", "patch"]
- apiGroups: ["serving.athena.dev"]
  resources: ["aiapplications/finalizers", "onlineservices/finalizers", "batchservices/finalizers"]
  verbs: ["update"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["services", "configmaps"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["secrets", "pods"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["networking.k8s.io"]
  resources: ["networkpolicies"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
{{- end }}
