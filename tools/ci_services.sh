#!/usr/bin/env bash
# Services the test suite talks to for real, started by .ci/run (as root) before the tests.
#
# Orthanc, the DICOM archive of the shared diagnostic centres (Debian's `orthanc` and `orthanc-dicomweb`):
# installed when missing, started in the background on 127.0.0.1:8042 with DICOMweb enabled, and waited for.
# Idempotent: when Orthanc already answers nothing is done. It never fails the CI run: when Orthanc cannot be
# installed or started it says so, and the Orthanc tests (which FAIL under CI=true when it is unreachable)
# report the problem where it belongs.
set -u

URL="http://127.0.0.1:8042"
WORK="${YIGONGTI_ORTHANC_DIR:-/tmp/yigongti-orthanc}"

answers() { curl -fsS -m 2 "$URL/system" >/dev/null 2>&1; }
dicomweb() { curl -fsS -m 2 -H "Accept: application/dicom+json" "$URL/dicom-web/studies" >/dev/null 2>&1; }

if answers; then
  if dicomweb; then echo "orthanc: already running at $URL with DICOMweb"; else echo "orthanc: running at $URL (DICOMweb not answering)"; fi
  exit 0
fi

if ! command -v Orthanc >/dev/null 2>&1 || ! ls /usr/share/orthanc/plugins/libOrthancDicomWeb.so* >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    echo "orthanc: installing orthanc and orthanc-dicomweb"
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends orthanc orthanc-dicomweb >/dev/null 2>&1 \
      || echo "orthanc: apt-get install failed"
  else
    echo "orthanc: not installed and not root: skipping"
  fi
fi
if ! command -v Orthanc >/dev/null 2>&1; then
  echo "orthanc: not available"
  exit 0
fi

# Our own configuration (the Debian service's config is left alone): loopback only, no authentication,
# DICOMweb on, a throw-away storage directory, the DICOM port moved off 4242 to avoid clashing with a
# system instance.
mkdir -p "$WORK/db"
PLUGINS=/usr/share/orthanc/plugins
cat > "$WORK/orthanc.json" <<JSON
{
  "Name": "yigongti-ci",
  "StorageDirectory": "$WORK/db",
  "IndexDirectory": "$WORK/db",
  "HttpPort": 8042,
  "DicomPort": 4243,
  "RemoteAccessAllowed": false,
  "AuthenticationEnabled": false,
  "HttpServerEnabled": true,
  "Plugins": ["$PLUGINS"],
  "DicomWeb": { "Enable": true, "Root": "/dicom-web/", "EnableWado": true, "WadoRoot": "/wado", "Ssl": false,
                "StudiesMetadata": "Full", "SeriesMetadata": "Full" }
}
JSON
# Orthanc loads every plugin under the folder; only DICOMweb is wanted. A folder of symlinks to it alone:
mkdir -p "$WORK/plugins"
for so in "$PLUGINS"/libOrthancDicomWeb.so*; do [ -e "$so" ] && ln -sf "$so" "$WORK/plugins/"; done
sed -i "s#\"Plugins\": \[\"$PLUGINS\"\]#\"Plugins\": [\"$WORK/plugins\"]#" "$WORK/orthanc.json"

echo "orthanc: starting on $URL"
nohup Orthanc "$WORK/orthanc.json" >"$WORK/orthanc.log" 2>&1 &
for _ in $(seq 1 60); do
  if answers && dicomweb; then echo "orthanc: ready"; exit 0; fi
  sleep 1
done
echo "orthanc: did not answer in 60 s (see $WORK/orthanc.log)"
tail -n 20 "$WORK/orthanc.log" 2>/dev/null || true
exit 0
