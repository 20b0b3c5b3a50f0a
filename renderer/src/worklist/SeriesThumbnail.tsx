/** The middle image of a series, rendered small by Cornerstone on the CPU (no GPU context per thumbnail). */
import { utilities } from '@cornerstonejs/core';
import { useEffect, useRef, useState } from 'react';
import { host } from '../host/index.js';
import { initImaging } from '../imaging/initImaging.js';

/**
 * Modalities whose objects carry no pixel data (reports, presentation states, plans, waveforms).
 * The series summary does not say whether a series has images, so these are not even fetched.
 */
const NON_IMAGE_MODALITIES = new Set([
  'SR',
  'PR',
  'KO',
  'DOC',
  'RTPLAN',
  'RTSTRUCT',
  'RTRECORD',
  'REG',
  'FID',
  'ECG',
  'HD',
  'AU',
]);

interface SeriesThumbnailProps {
  sopInstanceUID: string | null;
  modality: string;
}

export function SeriesThumbnail({ sopInstanceUID, modality }: SeriesThumbnailProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');
  const source = sopInstanceUID && !NON_IMAGE_MODALITIES.has(modality) ? sopInstanceUID : null;

  useEffect(() => {
    const target = canvas.current;
    if (!target || !source) return;
    initImaging();
    let current = true;
    setState('loading');
    utilities
      .loadImageToCanvas({
        canvas: target,
        imageId: host.imageIdFor(source),
        thumbnail: true,
        useCPURendering: true,
      })
      .then(() => current && setState('ready'))
      .catch(() => current && setState('failed'));
    return () => {
      current = false;
    };
  }, [source]);

  return (
    <div className={`thumbnail thumbnail--${source ? state : 'failed'}`}>
      <canvas ref={canvas} width={256} height={256} data-testid="series-thumbnail" />
      {!source || state === 'failed' ? (
        <span className="thumbnail__placeholder">{modality || '—'}</span>
      ) : null}
    </div>
  );
}
