{{header}}
{{imports}}

{{workers}}
