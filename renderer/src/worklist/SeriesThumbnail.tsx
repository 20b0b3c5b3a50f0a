/** The middle image of a series, rendered small by Cornerstone on the CPU (no GPU context per thumbnail). */
import { utilities } from '@cornerstonejs/core';
import { useEffect, useRef, useState } from 'react';
import { host } from '../host/index.js';
import { initImaging } from '../imaging/initImaging.js';

interface SeriesThumbnailProps {
  sopInstanceUID: string | null;
  modality: string;
}

export function SeriesThumbnail({ sopInstanceUID, modality }: SeriesThumbnailProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');

  useEffect(() => {
    const target = canvas.current;
    if (!target || !sopInstanceUID) return;
    initImaging();
    let current = true;
    setState('loading');
    utilities
      .loadImageToCanvas({
        canvas: target,
        imageId: host.imageIdFor(sopInstanceUID),
        thumbnail: true,
        useCPURendering: true,
      })
      .then(() => current && setState('ready'))
      .catch(() => current && setState('failed'));
    return () => {
      current = false;
    };
  }, [sopInstanceUID]);

  return (
    <div className={`thumbnail thumbnail--${sopInstanceUID ? state : 'failed'}`}>
      <canvas ref={canvas} width={256} height={256} data-testid="series-thumbnail" />
      {!sopInstanceUID || state === 'failed' ? (
        <span className="thumbnail__placeholder">{modality || '—'}</span>
      ) : null}
    </div>
  );
}
