#!/usr/bin/env bash
# A sharded evaluation as a Slurm job array: array task I of N evaluates shard I of N of the corpus (rows
# i with i % N == I) and writes its partial result to a shared folder; a dependent job merges them.
#
#   jobid=$(sbatch --parsable deploy/slurm/evaluate-array.sh)
#   sbatch --dependency=afterok:$jobid --wrap "deno task merge $SHARDS"
#
# sentilab reads SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT itself: the --array
# range below is the only place the number of shards is written. Run from the sentilab checkout (with
# `deno install --frozen` done) on a file system every node sees, or put `apptainer exec sentilab.sif` in
# front of `deno` to use the image of deploy/Containerfile. Sizing: README "Scaling".
#SBATCH --job-name=sentilab-evaluate
#SBATCH --array=0-3
#SBATCH --cpus-per-task=2
#SBATCH --mem=1G
#SBATCH --time=02:00:00
#SBATCH --output=sentilab-evaluate-%A_%a.out
set -euo pipefail

CORPUS=${CORPUS:-/shared/corpus.jsonl}
SHARDS=${SHARDS:-/shared/sentilab-shards}
MODEL=${MODEL:-default}

# Each task keeps its own tracking store (SQLite does not belong on a network file system).
export SENTILAB_DIR=${TMPDIR:-/tmp}/sentilab-store-${SLURM_ARRAY_JOB_ID:-0}-${SLURM_ARRAY_TASK_ID:-0}

${DENO:-deno} task evaluate \
  --model "$MODEL" \
  --data "$CORPUS" \
  --out "$SHARDS" \
  --group "sentilab-${SLURM_ARRAY_JOB_ID:-local}" \
  --workers "${SLURM_CPUS_PER_TASK:-2}"
