/**
 * English clinical vocabulary the free-text cleaner keeps (an allow-list: a word not here, and not
 * a number with a unit, becomes a placeholder under `unknownWords: 'placeholder'`).
 *
 * Provenance: compiled by the RadLabel team (2026) from common radiology report and DICOM header
 * terms — RadLex-style anatomy and findings, DICOM PS3.16 CID terms for modality (CID 29/33),
 * laterality (CID 244), body part (CID 4031), contrast agents (CID 12) and units (UCUM), MR
 * sequence and CT protocol names as vendors write them in SeriesDescription/ProtocolName, and the
 * function words reports are written with. Written by hand for this repository; no download.
 * Single words only (the cleaner matches word by word; hyphenated terms are split), lower case.
 * No personal names, place names or institution names: those must never be allowed.
 */
export const englishVocabulary = `
# function words and report language
a an the and or nor but if then than that this these those there here which who whom whose what
when where why how not no none nil neither either both each every all any some many much more most
less least few several other another such same own only also too very quite rather just again still
yet already ever never always often usually sometimes once twice is are was were be been being am
has have had having do does did done doing can could may might must shall should will would of in
on at by for from to into onto upon with without within inside outside over under above below
between among through across along around about against toward towards beyond behind beside besides
near per via versus vs as so because since while until unless although though whereas whether
it its it's itself they them their he she his her him we our us you your i me my one two three four
five six seven eight nine ten eleven twelve first second third fourth fifth sixth last next prior
previous previously current currently new old now today recent recently later earlier early late
after before during following followed since up down out off back forward further furthermore
however therefore thus hence otherwise overall generally mainly mostly partly partially completely
entirely slightly mildly moderately markedly severely minimally relatively approximately about
roughly nearly almost likely unlikely possibly probably possible probable definite definitely
consistent compatible suggestive suggest suggests suggested suggesting suspicious suspected suspect
concern concerning worrisome indeterminate equivocal nonspecific non specific characteristic typical
atypical unremarkable remarkable normal abnormal abnormality abnormalities appearance appearances
appears appear appeared seen see noted note notes noting shown show shows demonstrated demonstrate
demonstrates identified identify visualized visualised visible evident present absent absence
presence evidence findings finding impression impressions conclusion conclusions comment comments
comparison compared compare stable stability unchanged change changes changed interval increase
increased increasing decrease decreased decreasing improved improving improvement worsened worsening
progression progressive regression resolved resolving resolution persistent persisting new newly
residual recurrent recurrence remains remaining remain measuring measures measured measurement
measurements size sized sizes dimension dimensions diameter length width height depth thickness
volume area level levels region regions portion portions part parts aspect aspects side sides
segment segments zone zones site sites focus foci focal diffuse diffusely multifocal scattered
multiple single solitary bilateral bilaterally unilateral left right midline central peripheral
lateral medial anterior posterior superior inferior proximal distal cranial caudal ventral dorsal
upper lower mid middle deep superficial internal external inner outer apical basal basilar
anterolateral posterolateral anteromedial posteromedial superolateral inferolateral superomedial
inferomedial parasagittal paramedian para peri pre post sub supra infra intra inter trans retro
ipsilateral contralateral l r lt rt bil bilat ant post sup inf lat med prox dist
patient patients pt history clinical indication indications reason query ? rule ruled exclude
excluded evaluate evaluation assess assessment assessed review reviewed reviewing correlation
correlate correlated recommend recommended recommendation recommendations advise advised suggest
follow followup follow-up up further imaging study studies exam examination examinations scan
scans scanned scanning image images imaged series sequence sequences slice slices view views
projection projections phase phases acquisition acquisitions reconstruction reconstructions
reformat reformats reformatted recon protocol protocols technique techniques report reports
reported reporting dictated addendum amended preliminary final verified signed read reading
requested request requesting referred referral referring discussed discussion informed contacted
called communicated transfer transferred admitted admission discharge discharged outpatient
inpatient emergency urgent routine elective stat ward icu ed er clinic department dept service
team physician doctor dr radiologist radiology technologist radiographer nurse surgeon surgery
surgical oncology oncologist cardiology neurology orthopaedic orthopedic pediatric paediatric
obstetric gynecologic urology gastroenterology pulmonary respiratory medicine medical internal
family mother father wife husband son daughter brother sister relative relatives parent parents
guardian carer caregiver self male female man woman boy girl child children infant neonate adult
elderly year years yr yrs yo old age aged month months week weeks day days hour hours minute
minutes second seconds time times date am pm morning evening night daily weekly
with without and or yes no positive negative pos neg
known unknown query possible likely question questionable
is was be see refer please thank thanks kindly regards
case cases type types grade grades stage stages class category score scores index
value values mean average maximum minimum max min total ratio rate peak range
high low higher lower highest lowest large larger largest small smaller smallest
big tiny minute minimal mild moderate severe marked extensive extent limited subtle
good poor fair adequate inadequate suboptimal optimal limited degraded nondiagnostic diagnostic
quality artifact artifacts artefact artefacts motion respiratory breathing breath hold held
free shallow deep inspiration expiration inspiratory expiratory
available unavailable obtained performed perform performing repeat repeated repeating
additional additionally including include includes included excluding other others
free-text text description descriptions note

# general report verbs and words
detect detected detection detectable undetectable observe observed observation found find finds
confirm confirmed confirms confirmation consider considered considering represent represents
representing represented reflect reflects reflecting reflected involve involves involved indicate
indicates indicated indicating raise raised raises favour favor favoured favored favours favors
exclude excludes excluding exclusion include demonstrate demonstrating require requires required
requiring need needs needed warrant warrants warranted allow allows allowed limit limits limiting
obscure obscured obscures obscuring mimic mimics mimicking cause causes caused causing result
results resulting related relating relation relationship associated association adjacent
adjacency extend extends extended contain contains contained containing measure measure
sample samples sampled specimen specimens inferred infer line lines new-line text texts code codes
key keys item items content contents entry entries field fields list lists table tables figure
figures point points mark marked marks marker label labels labelled labeled annotation
annotations region-of-interest roi rois contour contours structure structures outline outlined
delineated delineation target targets planning plan plans dose doses fraction fractions field
beam beams isocenter isocentre gtv ctv ptv oar oars organ organs risk risks external body
couch bolus setup set-up verification verify verified qa check checked checks checking
information info detail details data dataset record-keeping summary summaries overview
examine examined examining consult consultation consulted opinion opinions second-opinion
return returned returns visit visits attend attended attendance appointment appointments
ordered order orders ordering scheduled schedule booked booking cancelled canceled postponed
performed obtain obtaining acquire acquired acquiring completed complete incomplete
repeat done undertaken carried given giving give receive received receiving administered
injected injection infused infusion rate volume ml/s flow pressure pressures
clear clearly unclear well poorly better worse best worst similar similarly different
difference differences significant significantly insignificant important minor major
mild-moderate moderate-severe slight slightly obvious obviously apparent apparently
grossly essentially virtually predominantly predominant dominant chiefly primarily partly
newly-diagnosed diagnosed diagnose diagnostic diagnoses treated untreated status state
condition conditions disease diseases disorder disorders syndrome syndromes process processes
pattern patterns feature features component components element elements morphology
configuration orientation alignment aligned malalignment position location located locate
localized localised localisation localization distribution distributed spread spreading
burden load number count counted several numerous innumerable countless
A B C D E F G H I J K L M N O P Q R S T U V W X Y Z

merge merged merging duplicate duplicated duplicates archive archived copy copies film-library
request requests correction corrected amend amendment
place placed placing placement displaced replace replaced replacing insert inserted insertion
remove removed removal retrieve retrieved

# labels around identifiers (the identifier goes, the label stays)
call called calls phone telephone tel mobile cell fax pager contact contacted address lives live
living resides home email e-mail mail website web mrn mr id ids identifier number numbers no nr
record records chart accession acc account insurance ssn nhs medicare name names surname
birth born dob d.o.b age sex gender weight height bmi signed sign by per cc attn attention

# abbreviations in study and series descriptions
abd abdo abdom pel pelv cap tap cta cap c/a/p w wo w/o wwo w/wo w/ woc wc with/without and/or
ch chst hd brn bilat l/s c/s t/s ls cs ts wb whole-body lwr upr ext extr fup f/u fu hx prev
init initial rpt rept req reqd ref refd dx ddx tx rx sx fx px bx ca mets lll lul rll rml rul
lingula ivc svc cbd gb ub sbo lbo gi gu gyn ob mfm ent cns cvs msk neuro onco cardio vasc
cerv thor lumb sacr iac orb orbs sinus mand max tmj sfx std hr lr ld hd ss ssh fl fs nfs
 and acquisition (DICOM CID 29/33 and vendor terms)
ct cta ctp ctv cect ncct hrct ldct mdct cbct mr mri mra mrv mrcp mrs fmri dti dwi pwi adc swi
swan tof pet petct pet-ct spect nm us usg doppler duplex echo echocardiography echocardiogram
xr cr dx dr rf xa mg mammo mammogram mammography tomosynthesis dbt dxa dexa bmd fluoroscopy
fluoro angiography angiogram angio venography venogram arteriography lymphangiography
myelography myelogram arthrography arthrogram urography urogram cystography cystogram
sialography hysterosalpingography barium swallow meal enema radiograph radiographs radiography
xray x-ray film films plain portable mobile bedside ot sr seg rtstruct rtplan rtdose rtimage
pr ko doc sc ivus oct es io px op xc gm sm ecg eps hd au bi
scanner scout topogram localizer localiser survey tracker bolus tracking timing test
helical spiral axial sequential volumetric volume dual energy spectral single source detector
multislice multidetector row rows kv kvp ma mas ctdi ctdivol dlp pitch collimation rotation
kernel filter algorithm iterative reconstruction fbp asir asir-v idose safire admire imr deep
mip minip mpr vr vrt 3d 2d 4d cpr curved thin thick slab slabs lung bone soft tissue mediastinal
window windows level width hu
t1 t2 t1w t2w pd pdw t2* flair stir tirm tse fse frfse ssfse haste gre spgr fspgr flash fisp
truefisp fiesta bffe balanced steady state ssfp mprage mp2rage bravo tfe tfl vibe lava thrive
starvibe radial dixon ideal mdixon water fat in opp inphase outphase opposed chemical shift
ep2d epi diff diffusion trace tensor adc b0 b50 b100 b500 b800 b1000 b1500 b2000 perfusion
dsc dce asl pcasl swi space cube vista sampling spc tof pc phase contrast velocity flow cine
tagging lge psir late gadolinium enhancement delayed early arterial portal venous equilibrium
hepatobiliary transitional precontrast postcontrast pre post contrast native plain enhanced
unenhanced noncontrast non-contrast nc ce c+ c- iv oral rectal intrathecal
sag sagittal cor coronal tra ax axial transverse obl oblique ob iso isotropic fs fatsat fat-sat
spair spir sat saturation suppression suppressed nfs wfs water-selective selective excitation
mt magnetization transfer mtc mtr navigator nav ecg-gated gated triggered trig retro prosp
prospective retrospective bh fb nav breathhold freebreathing pace respiratory-triggered
high-res hr highres hires lowres res resolution fov matrix nex nsa averages echoes te tr ti fa
flip angle bandwidth bw etl turbo factor grappa sense asset ipat acceleration parallel
multi-echo multiecho dual-echo me se ir fl fl2d fl3d tfl3d fl3d_vibe gr ssh sh mb multiband
ref reference calibration cal loc survey pos localizer 3plane plane planes tri triplane
mip_tra mpr_cor moco mocoseries derived primary original secondary screen capture summary
dose report tracker monitoring mon delay delays scan1 scan2 recon1 recon2 std standard
sharp smooth soft detail edge b30f b31f b45f b60f b70f br40 br44 br64 bv40 hr40 qr40 i26f i30f
i40f i50f i70f fc fc03 fc07 fc13 fc51 fc52 fc86 ub sd yb yc ya lung-window
kidney kidneys whole body wb head neck chest abdomen pelvis extremity extremities spine

# contrast agents and drugs (DICOM CID 12 and common names)
contrast gadolinium gd gadobutrol gadoterate gadopentetate gadoxetate gadobenate gadoteridol
gadovist dotarem magnevist primovist eovist multihance prohance clariscan iodine iodinated
iohexol iopamidol iodixanol iopromide ioversol iomeprol omnipaque isovue visipaque ultravist
optiray iomeron barium sulfate gastrografin water saline flush fdg f-18 f18 18f fluorodeoxyglucose
psma ga-68 ga68 68ga dotatate dotatoc choline fluciclovine amyloid florbetapir tau tc-99m tc99m
99mtc mdp mag3 dtpa dmsa sestamibi tetrofosmin hmpao ecd iodine-131 i-131 i131 i-123 mibg
thallium rubidium ammonia xenon microbubble microbubbles sonovue definity lumason
glucagon buscopan hyoscine nitroglycerin gtn adenosine regadenoson dobutamine metoprolol
beta-blocker sedation sedated anaesthesia anesthesia general local
mannitol mg/ml mgi/ml allergy allergic reaction premedication egfr creatinine

# anatomy (RadLex-style)
body head skull calvarium calvaria cranium cranial face facial brain cerebrum cerebral cerebellum
cerebellar brainstem midbrain pons medulla oblongata thalamus thalami hypothalamus basal ganglia
ganglion caudate putamen globus pallidus lentiform claustrum insula insular cortex cortical
subcortical white grey gray matter frontal parietal temporal occipital lobe lobes lobar gyrus gyri
sulcus sulci fissure fissures sylvian corpus callosum genu splenium fornix hippocampus
hippocampal amygdala mammillary pineal pituitary sella sellar suprasellar parasellar
infundibulum chiasm optic nerve nerves tract tracts ventricle ventricles ventricular
intraventricular periventricular lateral third fourth aqueduct foramen foramina monro magendie
luschka cisterna cistern cisterns magna ambient prepontine quadrigeminal meninges meningeal dura
dural arachnoid pia subarachnoid subdural epidural extradural falx tentorium tentorial
supratentorial infratentorial convexity vertex orbit orbits orbital globe globes lens retina
lacrimal extraocular muscle muscles sinus sinuses paranasal maxillary ethmoid ethmoidal
sphenoid sphenoidal frontal nasal nose cavity septum turbinate turbinates nasopharynx oropharynx
hypopharynx pharynx pharyngeal larynx laryngeal glottis glottic supraglottic subglottic epiglottis
vocal cord cords vallecula piriform tonsil tonsils tonsillar adenoid adenoids tongue oral mouth
palate mandible mandibular maxilla maxillary teeth tooth dental jaw tmj temporomandibular joint
parotid submandibular sublingual salivary gland glands thyroid parathyroid thymus thymic
ear ears mastoid mastoids middle inner cochlea cochlear vestibular semicircular canal canals
auditory iac petrous clivus skull-base base foramen jugular carotid vertebral basilar circle
willis artery arteries arterial vein veins venous vessel vessels vascular aorta aortic arch
ascending descending thoracic abdominal infrarenal suprarenal juxtarenal brachiocephalic
subclavian axillary brachial radial ulnar innominate common internal external cca ica eca mca
aca pca pcom acom sca pica aica ophthalmic cavernous petrous cervical lacunar lenticulostriate
sagittal transverse sigmoid straight sinus sinuses cortical deep vein galen pulmonary trunk
coronary coronaries lad lcx rca lm left main circumflex diagonal obtuse marginal ramus septal
celiac coeliac sma ima mesenteric superior inferior hepatic splenic renal gonadal iliac iliacs
femoral popliteal tibial peroneal dorsalis pedis portal vena cava ivc svc azygos hemiazygos
neck cervical thorax thoracic chest breast breasts nipple axilla axillae axillary lung lungs
pulmonary lobe upper middle lower lingula lingular apex apices base bases hilum hila hilar
perihilar mediastinum mediastinal paratracheal subcarinal carina trachea tracheal bronchus
bronchi bronchial bronchiole bronchioles bronchiolar airway airways alveolar alveoli pleura
pleural fissure interlobar costophrenic angle angles diaphragm diaphragmatic hemidiaphragm
pericardium pericardial heart cardiac atrium atria atrial ventricle myocardium myocardial
endocardium epicardial valve valves mitral tricuspid pulmonic aortic septum apex apical
esophagus oesophagus esophageal oesophageal gastroesophageal stomach gastric fundus antrum
pylorus pyloric duodenum duodenal jejunum jejunal ileum ileal terminal bowel small large
intestine intestinal colon colonic cecum caecum appendix appendiceal ascending transverse
descending sigmoid rectum rectal anus anal anorectal mesentery mesenteric omentum omental
peritoneum peritoneal retroperitoneum retroperitoneal liver hepatic segment couinaud caudate
gallbladder biliary bile duct ducts cbd chd intrahepatic extrahepatic pancreas pancreatic head
neck body tail uncinate process spleen splenic kidney kidneys renal cortex medulla pelvis
pelvic calyx calyces calyceal pelvicalyceal ureter ureters ureteric ureteral pelviureteric
vesicoureteric bladder vesical urethra urethral adrenal adrenals suprarenal prostate
prostatic seminal vesicle vesicles testis testes testicle testicular scrotum scrotal epididymis
penis penile uterus uterine endometrium endometrial myometrium cervix cervical ovary ovaries
ovarian adnexa adnexal fallopian tube tubes vagina vaginal vulva placenta placental fetus
fetal foetal amniotic umbilical cord gestational sac yolk embryo pregnancy pregnant
abdomen abdominal pelvis groin inguinal femoral hernia umbilicus flank flanks wall
spine spinal vertebra vertebrae vertebral body bodies cervical thoracic lumbar sacral sacrum
coccyx coccygeal disc discs disk disks intervertebral facet facets pedicle pedicles lamina
laminae spinous transverse process processes foramen foraminal canal cord conus medullaris
cauda equina thecal sac nerve root roots atlas axis dens odontoid c1 c2 c3 c4 c5 c6 c7 t1 t2
t3 t4 t5 t6 t7 t8 t9 t10 t11 t12 l1 l2 l3 l4 l5 s1 s2 s3 s4 s5 c1-c2 l4-l5 l5-s1
shoulder shoulders clavicle clavicular acromion acromioclavicular glenoid glenohumeral humerus
humeral scapula scapular rotator cuff supraspinatus infraspinatus subscapularis teres minor
major biceps triceps labrum labral elbow olecranon radius ulna forearm wrist carpal carpus
scaphoid lunate triquetrum pisiform trapezium trapezoid capitate hamate metacarpal metacarpals
hand hands finger fingers thumb phalanx phalanges digit digits hip hips acetabulum acetabular
femur femoral neck head trochanter greater lesser shaft knee knees patella patellar
quadriceps tendon tendons ligament ligaments meniscus menisci meniscal cruciate acl pcl mcl lcl
collateral tibia tibial fibula fibular plateau ankle ankles malleolus talus talar calcaneus
calcaneal navicular cuboid cuneiform metatarsal metatarsals foot feet toe toes heel achilles
plantar fascia joint joints articular cartilage synovium synovial bursa bursae capsule capsular
bone bones osseous skeletal skeleton cortex cortical medullary marrow trabecular cancellous
physis epiphysis metaphysis diaphysis growth plate rib ribs costal sternum sternal manubrium
xiphoid pelvis iliac ilium ischium ischial pubis pubic symphysis sacroiliac si joint
skin subcutaneous cutaneous fat soft tissue tissues muscle muscular fascial lymph node nodes
nodal lymphatic lymphatics cervical supraclavicular axillary mediastinal hilar retroperitoneal
para-aortic paraaortic mesenteric iliac inguinal level station stations
upper-limb lower-limb limb limbs arm arms leg legs thigh calf

# findings (RadLex-style)
lesion lesions mass masses nodule nodules nodular micronodule micronodules tumor tumour tumors
tumours neoplasm neoplastic malignancy malignant benign cancer carcinoma adenocarcinoma squamous
sarcoma lymphoma leukemia leukaemia myeloma metastasis metastases metastatic mets secondary
secondaries primary glioma glioblastoma gbm astrocytoma oligodendroglioma ependymoma
meningioma schwannoma neuroma adenoma pituitary macroadenoma microadenoma hemangioma haemangioma
angioma cavernoma cyst cysts cystic polycystic solid semisolid part-solid subsolid ground glass
ggo ggn consolidation consolidative atelectasis atelectatic collapse collapsed effusion effusions
pneumothorax hydropneumothorax hemothorax haemothorax empyema abscess abscesses collection
collections fluid ascites edema oedema oedematous edematous swelling thickening thickened
inflammation inflammatory infection infective infectious pneumonia pneumonitis bronchitis
bronchiectasis bronchiolitis emphysema emphysematous bulla bullae bleb blebs fibrosis fibrotic
honeycombing reticulation reticular interstitial septal opacity opacities opacification
infiltrate infiltrates tree-in-bud tree bud mosaic attenuation air trapping cavitation cavitary
cavity granuloma granulomas granulomatous calcification calcifications calcified calcific
tuberculosis tb sarcoidosis silicosis asbestosis plaque plaques stenosis stenoses stenotic
occlusion occluded occlusive thrombus thrombi thrombosis thrombosed embolus emboli embolism pe
dvt aneurysm aneurysmal dissection dissecting hematoma haematoma hemorrhage haemorrhage
hemorrhagic haemorrhagic bleed bleeding blood infarct infarcts infarction ischemia ischaemia
ischemic ischaemic stroke cva tia penumbra core hypodensity hypodense hyperdensity hyperdense
isodense hypoattenuating hyperattenuating hypointense hyperintense isointense hypointensity
hyperintensity signal intensity enhancing enhance enhances nonenhancing enhancement restricted
restriction restricting diffusion perfusion mismatch midline shift herniation mass-effect effect
hydrocephalus atrophy atrophic volume loss small-vessel microangiopathic leukoaraiosis
gliosis encephalomalacia demyelination demyelinating multiple sclerosis ms plaques lacune
lacunes lacunar microbleed microbleeds contusion contusions fracture fractures fractured
dislocation dislocated subluxation displaced nondisplaced undisplaced comminuted compression
wedge burst avulsion stress insufficiency pathological healing healed callus union nonunion
malunion osteoporosis osteopenia osteoporotic osteoarthritis arthritis arthropathy degenerative
degeneration spondylosis spondylolisthesis spondylolysis scoliosis kyphosis lordosis
osteophyte osteophytes disc bulge bulging protrusion extrusion herniated herniation sequestration
narrowing narrowed canal stenosis foraminal impingement compression myelopathy radiculopathy
edema erosion erosions erosive sclerosis sclerotic lytic blastic mixed periosteal reaction
osteomyelitis necrosis avascular osteonecrosis tear tears torn rupture ruptured partial
full-thickness thickness tendinopathy tendinosis tendinitis bursitis synovitis effusion
sprain strain contusion bruise marrow edema bone-bruise
hepatomegaly splenomegaly cardiomegaly hepatosplenomegaly steatosis fatty cirrhosis cirrhotic
nodular portal hypertension varices varix cholelithiasis gallstone gallstones stone stones
calculus calculi choledocholithiasis cholecystitis cholangitis pancreatitis pseudocyst
dilatation dilation dilated ectasia ectatic obstruction obstructed obstructive obstructing
hydronephrosis hydroureter nephrolithiasis urolithiasis pyelonephritis appendicitis
diverticulosis diverticulitis diverticulum diverticula colitis enteritis ileus perforation
perforated free air pneumoperitoneum fistula sinus tract stricture intussusception volvulus
hernia herniated polyp polyps wall-thickening lymphadenopathy adenopathy enlarged enlargement
prominent prominence subcentimeter subcentimetre borderline pathologic pathological reactive
hypertrophy hypertrophic hyperplasia hyperplastic goiter goitre thyroiditis nodule tirads birads
bi-rads lirads li-rads pirads pi-rads lung-rads c-rads orads category calcified microcalcifications
density densities dense fatty fibroglandular heterogeneous heterogeneously homogeneous
homogeneously scattered extremely architectural distortion asymmetry asymmetric symmetric
spiculated spiculation lobulated lobular smooth irregular ill-defined well-defined
circumscribed margin margins marginal border borders contour contours shape round oval
oblong linear tubular branching serpiginous rim ring peripheral central septated septation
septations loculated wall walls mural intraluminal extraluminal exophytic endophytic infiltrative
invasive invasion invading encasement encasing abutment abutting compression compressing
displacement displacing extension extending involving involvement sparing spared preserved
intact patent patency normal-caliber caliber calibre tortuous tortuosity ectatic
postoperative postsurgical post-operative operative resection resected excision excised
biopsy biopsies fna core clip clips marker markers staple staples suture sutures surgical
changes scar scarring granulation drain drains catheter catheters tube tubes line lines
stent stents graft grafts prosthesis prosthetic implant implants hardware screw screws plate
plates rod rods wire wires pacemaker icd device devices valve replacement arthroplasty
fixation fusion laminectomy craniotomy craniectomy shunt vp ett ngt ng og picc cvc port
tip projects position positioned malpositioned satisfactory appropriate expected
radiation radiotherapy chemotherapy treatment treated therapy response responding
post-treatment baseline restaging staging surveillance screening workup work-up
pain painful tender tenderness fever cough dyspnea dyspnoea shortness breath hemoptysis
trauma injury injuries fall mva rta accident headache seizure seizures weakness numbness
palpable lump bleeding hematuria haematuria jaundice nausea vomiting dysphagia syncope
suspected known history hx s/p sp status post r/o ro rule-out ddx differential diagnosis dx
symptoms symptom sign signs

# units (UCUM and as written)
mm cm m km um µm nm ml mL l dl cc mg g kg µg ug mcg mmol µmol umol mol meq iu u units unit
s sec secs ms msec min mins h hr hrs d wk wks mo mos y yr yrs
kv kvp ma mas mgy gy cgy mgy·cm mgycm mgy*cm msv sv mbq gbq mci µci uci bq ci
hu t mt tesla gauss hz khz mhz ghz db dB % percent deg degree degrees ° °c c f
mmhg cmh2o bpm beats breaths mm2 mm3 cm2 cm3 m2 m3 mm/s cm/s m/s mm²/s mm2/s ml/min ml/kg
mg/kg mg/dl mmol/l g/dl ml/s ml/min/1.73m2 s/mm2 s/mm² x times fold voxel voxels pixel pixels
row col cols columns frames frame fps ppm bits bit
st nd rd th
`;
