# Orchestra Admin: multi-stage build (SDK → ASP.NET runtime), non-root, port 8080.
# Not exercised by CI (no Docker engine runs there); kept to standard instructions.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# The local embedding model (MiniLM, about 90 MB, run by ONNX Runtime) is in the image unless built with
# --build-arg LOCAL_EMBEDDINGS=false; such an image offers the openai and none embedding providers only.
ARG LOCAL_EMBEDDINGS=true
# Only this platform's ONNX Runtime library, not those of every platform it ships for.
ARG TARGETARCH=amd64
WORKDIR /src
COPY Orchestra.Admin/Orchestra.Admin.csproj Orchestra.Admin/
# Weaviate's gRPC contract, compiled to C# at build time (Grpc.Tools).
COPY Orchestra.WeaviateProtocol/ Orchestra.WeaviateProtocol/
RUN RID=linux-$( [ "$TARGETARCH" = arm64 ] && echo arm64 || echo x64 ) \
 && dotnet restore Orchestra.Admin/Orchestra.Admin.csproj -r $RID -p:LocalEmbeddings=$LOCAL_EMBEDDINGS
COPY Orchestra.Admin/ Orchestra.Admin/
COPY sql/ sql/
RUN RID=linux-$( [ "$TARGETARCH" = arm64 ] && echo arm64 || echo x64 ) \
 && dotnet publish Orchestra.Admin/Orchestra.Admin.csproj -c Release -o /app --no-restore -r $RID --self-contained false -p:LocalEmbeddings=$LOCAL_EMBEDDINGS

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app .
# curl only for the HEALTHCHECK.
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
ENV ASPNETCORE_URLS=http://+:8080 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
EXPOSE 8080
# A folder for the data-protection keys (a volume in docker-compose.yml), writable by the app user.
RUN mkdir /keys && chown app:app /keys
# The image's built-in unprivileged user (uid 1654).
USER app
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD curl -fsS http://localhost:8080/healthz || exit 1
# Configuration comes from the environment at run time (POSTGRES_DSN, WEAVIATE_URL, WEAVIATE_API_KEY): no secrets in the image.
ENTRYPOINT ["dotnet", "Orchestra.Admin.dll"]
